-- Campaign membership keyed by backlink first: the inline projection looks up the campaigns of the backlinks of a
-- commit (url_hash = ANY …); the campaign's own listing uses the second index.
ALTER TABLE backlink_campaigns DROP CONSTRAINT backlink_campaigns_pkey;
ALTER TABLE backlink_campaigns ADD PRIMARY KEY (tenant_id, url_hash, campaign_id);
DROP INDEX backlink_campaigns_by_backlink;
CREATE INDEX backlink_campaigns_by_campaign ON backlink_campaigns (tenant_id, campaign_id, url_hash);
