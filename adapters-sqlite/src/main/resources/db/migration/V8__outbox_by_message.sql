-- A message's delete removes its notifications not yet sent; without an index on message_id it read the whole
-- outbox, holding the writer, for every delete. (A pass of the outbox reads the entries due from
-- webhook_outbox_by_due, in next_attempt_at order.)
CREATE INDEX webhook_outbox_by_message ON webhook_outbox (message_id);
