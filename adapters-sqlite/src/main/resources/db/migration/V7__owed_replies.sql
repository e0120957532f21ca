-- Bot replies a graceful stop cut short or kept from starting (with its time), read and emptied at the next
-- start, which runs each of them again when its message still waits for it.
CREATE TABLE owed_replies (
    room_id    TEXT NOT NULL,
    bot_id     TEXT NOT NULL,
    trigger_id TEXT NOT NULL,
    owed_at    INTEGER NOT NULL,
    PRIMARY KEY (room_id, bot_id, trigger_id)
) WITHOUT ROWID;
