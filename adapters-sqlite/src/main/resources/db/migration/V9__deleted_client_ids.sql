-- The client_msg_id of a deleted message stays taken: a retried send with it answers the deleted message's id
-- and seq as a repeat, instead of storing the text again as a new message.
CREATE TABLE deleted_client_ids (
    room_id       TEXT NOT NULL,
    sender_id     TEXT NOT NULL,
    client_msg_id TEXT NOT NULL,
    message_id    TEXT NOT NULL,
    seq           INTEGER NOT NULL,
    created_at    INTEGER NOT NULL,
    PRIMARY KEY (room_id, sender_id, client_msg_id)
) WITHOUT ROWID;
