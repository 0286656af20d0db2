-- Channels a tenant turned on (those that need an explicit decision, such as Google's policy), with the policy accepted.
CREATE TABLE tenant_channels (
    tenant_id        TEXT    NOT NULL,
    channel          TEXT    NOT NULL,
    enabled_at       INTEGER NOT NULL,
    accepted_policy  TEXT,
    PRIMARY KEY (tenant_id, channel)
);
