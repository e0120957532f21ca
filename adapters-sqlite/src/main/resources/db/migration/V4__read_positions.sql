-- Each user's acknowledged position per room, so that a read receipt never goes back, across restarts too: an ack
-- at or below it is a no-op. Rooms are never deleted; a user removed from a room keeps theirs.
CREATE TABLE read_positions (
    user_id TEXT    NOT NULL,
    room_id TEXT    NOT NULL,
    seq     INTEGER NOT NULL,
    PRIMARY KEY (user_id, room_id)
) WITHOUT ROWID;
