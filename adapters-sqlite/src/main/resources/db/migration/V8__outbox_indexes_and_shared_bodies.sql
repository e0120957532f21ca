-- A message's delete removes its notifications not yet sent; without an index on message_id it read the whole
-- outbox, holding the writer, for every delete. (A pass of the outbox reads the entries due from
-- webhook_outbox_by_due, in next_attempt_at order.)
CREATE INDEX webhook_outbox_by_message ON webhook_outbox (message_id);

-- The message.offline bodies of one message differ only in their recipient: what they share (the room's metadata,
-- up to 64 KiB, and the message) is stored once here, and an outbox row that uses it holds only its own part in
-- body, its text being head || body || tail. Stored once per recipient, a message to 1,000 members away wrote
-- some 60 MB in the send's transaction. A shared body goes with the last outbox row that uses it.
CREATE TABLE webhook_bodies (
    id   INTEGER PRIMARY KEY,
    head TEXT    NOT NULL,
    tail TEXT    NOT NULL
);
ALTER TABLE webhook_outbox ADD COLUMN body_id INTEGER REFERENCES webhook_bodies (id);
CREATE INDEX webhook_outbox_by_body ON webhook_outbox (body_id);
CREATE TRIGGER webhook_bodies_unused AFTER DELETE ON webhook_outbox
    WHEN old.body_id IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM webhook_outbox WHERE body_id = old.body_id)
BEGIN
    DELETE FROM webhook_bodies WHERE id = old.body_id;
END;
