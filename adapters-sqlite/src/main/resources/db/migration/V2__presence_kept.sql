-- Users online at the last graceful stop (with its time), read and emptied at the next start, so that a restart
-- does not announce everyone offline and online again.
CREATE TABLE presence_kept (
    user_id TEXT PRIMARY KEY,
    kept_at INTEGER NOT NULL
) WITHOUT ROWID;
