-- Our own Orleans grain storage and reminder table for the embedded profile (see SqliteGrainStorage and
-- SqliteReminderTable). Grain ids are Orleans' full "type/key" form, so two grain types never share a row.
CREATE TABLE orleans_grain_state (
    service_id   TEXT    NOT NULL,
    grain_id     TEXT    NOT NULL,
    state_name   TEXT    NOT NULL,
    etag         INTEGER NOT NULL,       -- 1, 2, 3 … on every write; compared before each write and clear
    payload      BLOB    NOT NULL,
    modified_at  INTEGER NOT NULL,       -- unix microseconds
    PRIMARY KEY (service_id, grain_id, state_name)
) WITHOUT ROWID;

CREATE TABLE orleans_reminders (
    service_id     TEXT    NOT NULL,
    grain_id       TEXT    NOT NULL,
    reminder_name  TEXT    NOT NULL,
    start_time     INTEGER NOT NULL,     -- unix microseconds, UTC
    period_ms      INTEGER NOT NULL,
    grain_hash     INTEGER NOT NULL,     -- GrainId.GetUniformHashCode(), 0 .. 2^32-1
    etag           INTEGER NOT NULL,
    PRIMARY KEY (service_id, grain_id, reminder_name)
) WITHOUT ROWID;
CREATE INDEX orleans_reminders_by_hash ON orleans_reminders (service_id, grain_hash);
