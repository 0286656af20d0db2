-- The append-only event log, its per-stream heads (version and hash-chain head) and nothing else.
CREATE TABLE events (
    position     INTEGER PRIMARY KEY,           -- global order of allocation (not of commit)
    event_id     TEXT    NOT NULL UNIQUE,       -- idempotency key
    stream_id    TEXT    NOT NULL,
    version      INTEGER NOT NULL,              -- 1..N within the stream, no gaps
    type         TEXT    NOT NULL,              -- stable alias, e.g. backlink.collected.v1
    data         TEXT    NOT NULL,              -- JSON, stored byte-exact (the hash covers it)
    metadata     TEXT    NOT NULL,
    recorded_at  INTEGER NOT NULL,              -- unix microseconds, UTC
    hash         BLOB    NOT NULL,              -- SHA-256 over the previous hash and this row
    UNIQUE (stream_id, version)
);

CREATE TABLE streams (
    stream_id    TEXT    PRIMARY KEY,
    version      INTEGER NOT NULL,
    head_hash    BLOB    NOT NULL
) WITHOUT ROWID;
