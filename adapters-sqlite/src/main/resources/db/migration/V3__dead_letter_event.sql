-- A webhook delivery that gave up names its event type (message.offline, room.handoff, ...) and the webhook-id
-- header its receiver saw, so an admin can tell which notification was lost. Null for socket re-deliveries and for
-- letters written before this column existed.
ALTER TABLE dead_letters ADD COLUMN event TEXT;
ALTER TABLE dead_letters ADD COLUMN webhook_id TEXT;
