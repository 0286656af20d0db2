-- What a campaign's backlinks cost, per channel: accepted paid submissions and paid index checks (issue 14), in
-- millionths of the agency's currency so sums are exact. Kept by BacklinkProjection inside the events' transaction,
-- counted for the campaign that governs each backlink.
CREATE TABLE campaign_costs (
    tenant_id    TEXT    NOT NULL,
    campaign_id  TEXT    NOT NULL,
    channel      TEXT    NOT NULL,
    kind         TEXT    NOT NULL,       -- submission | check
    units        INTEGER NOT NULL,
    cost_micros  INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, campaign_id, channel, kind)
);
