-- Checkpointed subscriptions to the log (ADR 0021): each subscription's cursor, moved in the transaction of its handlers' writes.
CREATE TABLE subscription_checkpoints (
    name         TEXT    PRIMARY KEY,
    tx           INTEGER NOT NULL,
    position     INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);
