-- What a campaign's backlinks cost, per channel: accepted paid submissions and paid index checks (issue 14), in
-- millionths of the agency's currency so sums are exact. Kept by BacklinkProjection inside the events' transaction,
-- counted for the campaign that governs each backlink.
CREATE TABLE campaign_costs (
    tenant_id    text    NOT NULL,
    campaign_id  text    NOT NULL,
    channel      text    NOT NULL,
    kind         text    NOT NULL,       -- submission | check
    units        bigint  NOT NULL,
    cost_micros  bigint  NOT NULL,
    PRIMARY KEY (tenant_id, campaign_id, channel, kind)
);
