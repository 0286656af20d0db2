-- Backlinks read models, updated inline with the events (BacklinkProjection, CampaignProjection).
-- Instants are unix microseconds; one SQL text serves SQLite and PostgreSQL.
CREATE TABLE campaigns (
    tenant_id    text    NOT NULL,
    campaign_id  text    NOT NULL,
    name         text    NOT NULL,
    client       text    NOT NULL,
    status       text    NOT NULL,       -- active | paused | cancelled
    settings     text    NOT NULL,       -- JSON of CampaignSettings
    created_at   bigint NOT NULL,
    updated_at   bigint NOT NULL,
    PRIMARY KEY (tenant_id, campaign_id)
);

CREATE TABLE backlinks (
    tenant_id       text    NOT NULL,
    url_hash        text    NOT NULL,
    url             text    NOT NULL,
    host            text    NOT NULL,
    campaign_id     text    NOT NULL,    -- the campaign that governs the lifecycle (first collected into)
    state           text    NOT NULL,    -- collected | validated | submitted | indexed | failed
    reason          text,                -- failure reason code
    retired         bigint NOT NULL,
    priority        bigint NOT NULL,
    collected_at    bigint NOT NULL,
    updated_at      bigint NOT NULL,
    next_action_at  bigint,             -- when the sweeper should drive it again; NULL when nothing is pending
    version         bigint NOT NULL,    -- stream version this row reflects
    PRIMARY KEY (tenant_id, url_hash)
);
CREATE INDEX backlinks_due ON backlinks (next_action_at) WHERE next_action_at IS NOT NULL;
CREATE INDEX backlinks_by_host ON backlinks (tenant_id, host);

CREATE TABLE backlink_campaigns (
    tenant_id    text    NOT NULL,
    campaign_id  text    NOT NULL,
    url_hash     text    NOT NULL,
    joined_at    bigint NOT NULL,
    PRIMARY KEY (tenant_id, campaign_id, url_hash)
);
CREATE INDEX backlink_campaigns_by_backlink ON backlink_campaigns (tenant_id, url_hash);

CREATE TABLE campaign_counters (
    tenant_id    text    NOT NULL,
    campaign_id  text    NOT NULL,
    state        text    NOT NULL,
    reason       text    NOT NULL,       -- '' when the state has no reason
    count        bigint NOT NULL,
    PRIMARY KEY (tenant_id, campaign_id, state, reason)
);
