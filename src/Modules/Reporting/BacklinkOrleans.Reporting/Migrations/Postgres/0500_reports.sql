-- Reporting read models, kept by the "reporting" subscription to the log (ADR 0021). Times in microseconds since 1970.
CREATE TABLE report_backlinks (
    tenant_id    text NOT NULL,
    url_hash     text NOT NULL,
    version      bigint NOT NULL,
    facts        text NOT NULL,       -- ReportFacts as JSON: the fold of the backlink's stream
    PRIMARY KEY (tenant_id, url_hash)
);

CREATE TABLE report_memberships (
    tenant_id    text NOT NULL,
    campaign_id  text NOT NULL,
    url_hash     text NOT NULL,
    PRIMARY KEY (tenant_id, campaign_id, url_hash)
);

CREATE TABLE report_campaigns (
    tenant_id    text NOT NULL,
    campaign_id  text NOT NULL,
    name         text NOT NULL,
    client       text NOT NULL,
    created_at   bigint NOT NULL,
    backlinks    bigint NOT NULL DEFAULT 0,
    open_now     bigint NOT NULL DEFAULT 0,
    indexed      bigint NOT NULL DEFAULT 0,
    failed       bigint NOT NULL DEFAULT 0,
    retired      bigint NOT NULL DEFAULT 0,
    finished_at  bigint,
    PRIMARY KEY (tenant_id, campaign_id)
);
CREATE INDEX report_campaigns_by_client ON report_campaigns (tenant_id, client);

-- White-label settings of a tenant's printable reports.
CREATE TABLE report_branding (
    tenant_id    text PRIMARY KEY,
    agency_name  text NOT NULL,
    logo_url     text,
    accent_color text,
    updated_at   bigint NOT NULL
);

-- Webhooks: endpoints (the signing secret encrypted with the tenant's Data Protection purpose), one delivery per
-- endpoint and published event (the unique key makes enqueueing idempotent), and every attempt.
CREATE TABLE webhook_endpoints (
    tenant_id    text NOT NULL,
    endpoint_id  text NOT NULL,
    url          text NOT NULL,
    secret       text NOT NULL,
    event_types  text NOT NULL,       -- comma-separated aliases
    description  text,
    created_at   bigint NOT NULL,
    disabled_at  bigint,
    PRIMARY KEY (tenant_id, endpoint_id)
);

CREATE TABLE webhook_deliveries (
    delivery_id     text PRIMARY KEY,
    tenant_id       text NOT NULL,
    endpoint_id     text NOT NULL,
    event_id        text NOT NULL,
    event_type      text NOT NULL,
    body            text NOT NULL,
    state           text NOT NULL,    -- pending, delivered, failed
    attempts        bigint NOT NULL DEFAULT 0,
    next_attempt_at bigint,
    give_up_at      bigint NOT NULL,
    last_status     bigint,
    last_error      text,
    created_at      bigint NOT NULL,
    delivered_at    bigint,
    UNIQUE (endpoint_id, event_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (state, next_attempt_at);
CREATE INDEX webhook_deliveries_by_endpoint ON webhook_deliveries (tenant_id, endpoint_id, created_at);

CREATE TABLE webhook_attempts (
    delivery_id  text NOT NULL,
    attempt      bigint NOT NULL,
    at           bigint NOT NULL,
    status       bigint,
    error        text,
    duration_ms  bigint NOT NULL,
    PRIMARY KEY (delivery_id, attempt)
);
