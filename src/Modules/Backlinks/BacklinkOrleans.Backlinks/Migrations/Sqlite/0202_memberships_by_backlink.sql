-- Campaign membership keyed by backlink first: the inline projection looks up the campaigns of the backlinks of a
-- commit (url_hash IN …), and with the campaign first SQLite scanned the whole tenant for it, slower with every row.
CREATE TABLE backlink_campaigns_new (
    tenant_id    TEXT    NOT NULL,
    url_hash     TEXT    NOT NULL,
    campaign_id  TEXT    NOT NULL,
    joined_at    INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, url_hash, campaign_id)
) WITHOUT ROWID;
INSERT INTO backlink_campaigns_new (tenant_id, url_hash, campaign_id, joined_at)
    SELECT tenant_id, url_hash, campaign_id, joined_at FROM backlink_campaigns;
DROP TABLE backlink_campaigns;
ALTER TABLE backlink_campaigns_new RENAME TO backlink_campaigns;
CREATE INDEX backlink_campaigns_by_campaign ON backlink_campaigns (tenant_id, campaign_id, url_hash);
