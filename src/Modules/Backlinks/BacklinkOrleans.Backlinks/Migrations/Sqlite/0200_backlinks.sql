-- Backlinks read models, updated inline with the events (BacklinkProjection, CampaignProjection).
-- Instants are unix microseconds; one SQL text serves SQLite and PostgreSQL.
CREATE TABLE campaigns (
    tenant_id    TEXT    NOT NULL,
    campaign_id  TEXT    NOT NULL,
    name         TEXT    NOT NULL,
    client       TEXT    NOT NULL,
    status       TEXT    NOT NULL,       -- active | paused | cancelled
    settings     TEXT    NOT NULL,       -- JSON of CampaignSettings
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, campaign_id)
);

CREATE TABLE backlinks (
    tenant_id       TEXT    NOT NULL,
    url_hash        TEXT    NOT NULL,
    url             TEXT    NOT NULL,
    host            TEXT    NOT NULL,
    campaign_id     TEXT    NOT NULL,    -- the campaign that governs the lifecycle (first collected into)
    state           TEXT    NOT NULL,    -- collected | validated | submitted | indexed | failed
    reason          TEXT,                -- failure reason code
    retired         INTEGER NOT NULL,
    priority        INTEGER NOT NULL,
    collected_at    INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    next_action_at  INTEGER,             -- when the sweeper should drive it again; NULL when nothing is pending
    version         INTEGER NOT NULL,    -- stream version this row reflects
    PRIMARY KEY (tenant_id, url_hash)
);
CREATE INDEX backlinks_due ON backlinks (next_action_at) WHERE next_action_at IS NOT NULL;
CREATE INDEX backlinks_by_host ON backlinks (tenant_id, host);

CREATE TABLE backlink_campaigns (
    tenant_id    TEXT    NOT NULL,
    campaign_id  TEXT    NOT NULL,
    url_hash     TEXT    NOT NULL,
    joined_at    INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, campaign_id, url_hash)
);
CREATE INDEX backlink_campaigns_by_backlink ON backlink_campaigns (tenant_id, url_hash);

CREATE TABLE campaign_counters (
    tenant_id    TEXT    NOT NULL,
    campaign_id  TEXT    NOT NULL,
    state        TEXT    NOT NULL,
    reason       TEXT    NOT NULL,       -- '' when the state has no reason
    count        INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, campaign_id, state, reason)
);
