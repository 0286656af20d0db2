-- Checkpointed subscriptions to the log (ADR 0021). Positions are allocated in insertion order but commit in any
-- order; the committing transaction's id lets a reader take only events no running transaction can still precede.
ALTER TABLE events ADD COLUMN tx_id xid8 NOT NULL DEFAULT pg_current_xact_id();
CREATE INDEX events_by_transaction ON events (tx_id, position);

CREATE TABLE subscription_checkpoints (
    name         text   PRIMARY KEY,
    tx           bigint NOT NULL,
    position     bigint NOT NULL,
    updated_at   bigint NOT NULL
);
