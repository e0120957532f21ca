-- Lets a user's rooms be put in order and paged from an index: created_at comes after name and metadata in a
-- rooms row, so reading it from the table walks the overflow pages of up to 64 KiB of metadata, for every room
-- of the user at every page.
CREATE INDEX rooms_by_id_and_age ON rooms (id, created_at);
