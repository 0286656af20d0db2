-- Snapshot events: a stream's latest one is where reads of the aggregate's current state start (ADR 0014).
ALTER TABLE streams ADD COLUMN snapshot_version INTEGER;
