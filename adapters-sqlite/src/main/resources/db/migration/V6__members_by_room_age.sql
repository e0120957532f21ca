-- A user's rooms are listed newest first, a page at a time. Each membership carries its room's creation time,
-- which never changes, and one index orders a user's memberships by it: a page is then a range of that index,
-- read in page order, instead of a sort of all the user's rooms, whose created_at comes after up to 64 KiB of
-- name and metadata in a rooms row. The index starts with user_id, so it also serves every lookup by user.
ALTER TABLE members ADD COLUMN room_created_at INTEGER NOT NULL DEFAULT 0;
UPDATE members SET room_created_at = (SELECT created_at FROM rooms WHERE rooms.id = members.room_id);
CREATE INDEX members_by_user_and_room_age ON members (user_id, room_created_at DESC, room_id DESC);
DROP INDEX members_by_user;
-- V5's index on rooms (id, created_at) was meant for the same listing; the planner did not use it
DROP INDEX IF EXISTS rooms_by_id_and_age;
