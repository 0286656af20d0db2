-- Reporting read models, kept by the "reporting" subscription to the log (ADR 0021). Times in microseconds since 1970.
CREATE TABLE report_backlinks (
    tenant_id    TEXT NOT NULL,
    url_hash     TEXT NOT NULL,
    version      INTEGER NOT NULL,
    facts        TEXT NOT NULL,       -- ReportFacts as JSON: the fold of the backlink's stream
    PRIMARY KEY (tenant_id, url_hash)
);

CREATE TABLE report_memberships (
    tenant_id    TEXT NOT NULL,
    campaign_id  TEXT NOT NULL,
    url_hash     TEXT NOT NULL,
    PRIMARY KEY (tenant_id, campaign_id, url_hash)
);

CREATE TABLE report_campaigns (
    tenant_id    TEXT NOT NULL,
    campaign_id  TEXT NOT NULL,
    name         TEXT NOT NULL,
    client       TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    backlinks    INTEGER NOT NULL DEFAULT 0,
    open_now     INTEGER NOT NULL DEFAULT 0,
    indexed      INTEGER NOT NULL DEFAULT 0,
    failed       INTEGER NOT NULL DEFAULT 0,
    retired      INTEGER NOT NULL DEFAULT 0,
    finished_at  INTEGER,
    PRIMARY KEY (tenant_id, campaign_id)
);
CREATE INDEX report_campaigns_by_client ON report_campaigns (tenant_id, client);

-- White-label settings of a tenant's printable reports.
CREATE TABLE report_branding (
    tenant_id    TEXT PRIMARY KEY,
    agency_name  TEXT NOT NULL,
    logo_url     TEXT,
    accent_color TEXT,
    updated_at   INTEGER NOT NULL
);

-- Webhooks: endpoints (the signing secret encrypted with the tenant's Data Protection purpose), one delivery per
-- endpoint and published event (the unique key makes enqueueing idempotent), and every attempt.
CREATE TABLE webhook_endpoints (
    tenant_id    TEXT NOT NULL,
    endpoint_id  TEXT NOT NULL,
    url          TEXT NOT NULL,
    secret       TEXT NOT NULL,
    event_types  TEXT NOT NULL,       -- comma-separated aliases
    description  TEXT,
    created_at   INTEGER NOT NULL,
    disabled_at  INTEGER,
    PRIMARY KEY (tenant_id, endpoint_id)
);

CREATE TABLE webhook_deliveries (
    delivery_id     TEXT PRIMARY KEY,
    tenant_id       TEXT NOT NULL,
    endpoint_id     TEXT NOT NULL,
    event_id        TEXT NOT NULL,
    event_type      TEXT NOT NULL,
    body            TEXT NOT NULL,
    state           TEXT NOT NULL,    -- pending, delivered, failed
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER,
    give_up_at      INTEGER NOT NULL,
    last_status     INTEGER,
    last_error      TEXT,
    created_at      INTEGER NOT NULL,
    delivered_at    INTEGER,
    UNIQUE (endpoint_id, event_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (state, next_attempt_at);
CREATE INDEX webhook_deliveries_by_endpoint ON webhook_deliveries (tenant_id, endpoint_id, created_at);

CREATE TABLE webhook_attempts (
    delivery_id  TEXT NOT NULL,
    attempt      INTEGER NOT NULL,
    at           INTEGER NOT NULL,
    status       INTEGER,
    error        TEXT,
    duration_ms  INTEGER NOT NULL,
    PRIMARY KEY (delivery_id, attempt)
);
