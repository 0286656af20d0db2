-- The key the hash chains are made with (ADR 0023): its non-secret id; no row: a log written before the chain was keyed.
CREATE TABLE event_chain (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    key_id      TEXT    NOT NULL,
    changed_at  bigint  NOT NULL
);
