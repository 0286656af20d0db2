-- Scheduler shards (ADR 0016): each backlink belongs to the shard byte of its hash's first byte (0-255); a shard grain
-- claims its due backlinks through (shard, next_action_at). waiting_for: what a backlink that cannot proceed waits for.
ALTER TABLE backlinks ADD COLUMN shard bigint NOT NULL DEFAULT 0;
ALTER TABLE backlinks ADD COLUMN waiting_for text;
UPDATE backlinks SET shard = ('x' || substr(url_hash, 1, 2))::bit(8)::int;
DROP INDEX backlinks_due;
CREATE INDEX backlinks_due ON backlinks (shard, next_action_at) WHERE next_action_at IS NOT NULL;
