-- Channels a tenant turned on (those that need an explicit decision, such as Google's policy), with the policy accepted.
CREATE TABLE tenant_channels (
    tenant_id        text    NOT NULL,
    channel          text    NOT NULL,
    enabled_at       bigint NOT NULL,
    accepted_policy  text,
    PRIMARY KEY (tenant_id, channel)
);
