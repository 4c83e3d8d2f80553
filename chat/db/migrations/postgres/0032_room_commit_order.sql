-- Issue 32: a room's message ids follow its commit order when several hosts' writers
-- insert into it at once. `?since=<id>` (and the replay/live hand-over) resumes after
-- every id below the one a client holds; an id drawn before a later one commits would
-- be skipped by a client resuming in between (docs/decisions.md, "Losing a host").
--
-- The identity draws the id before any trigger runs, so a writer that waits here for
-- the room may come back holding an id below one committed meanwhile. Each insert
-- takes the room's row first (the lock every writer of the room waits for until the
-- holder commits) and, holding it, draws again if the room already has a higher id.
-- NO KEY UPDATE: what the message counter's UPDATE takes anyway; foreign-key checks
-- (KEY SHARE) of other tables are not blocked by it.
CREATE FUNCTION messages_in_commit_order() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM rooms WHERE id = NEW.room_id FOR NO KEY UPDATE;
    IF NEW.id <= (SELECT max(id) FROM messages WHERE room_id = NEW.room_id) THEN
        NEW.id := nextval(pg_get_serial_sequence('messages', 'id'));
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER messages_in_commit_order BEFORE INSERT ON messages FOR EACH ROW
EXECUTE FUNCTION messages_in_commit_order();
