-- Users an admin removed from a direct-message room: opening the pair's room again (POST /rooms) does not add
-- them back, as it does one who left by themselves; an admin adding them back removes the row.
CREATE TABLE dm_kept_out (
    room_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    PRIMARY KEY (room_id, user_id)
) WITHOUT ROWID;
