-- Issue 29: a filtered search reads the narrowest index instead of the text match.
-- from:NAME in:ROOM together walk one range of this index, not a room's or a person's
-- every message.
CREATE INDEX messages_room_sender ON messages(room_id, sender_id, id);
-- has:file and has:image walk only the messages that have one.
CREATE INDEX messages_files ON messages(id) WHERE file_url IS NOT NULL;
CREATE INDEX messages_images ON messages(id) WHERE message_type = 'image';

-- The ids each UTC day's messages span, so before:/after:/on: become an id range. Ids
-- do not follow created_at (imported messages keep their dates), so a day keeps its
-- lowest and highest id: the range of several days always holds all their messages.
-- Kept by the search indexer for what it indexes (chat/db/search_index.py); rows above
-- its mark are read directly. Deleted messages leave the range wider, never wrong.
CREATE TABLE message_days (
    day       TEXT PRIMARY KEY,
    first_id  INTEGER NOT NULL,
    last_id   INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO message_days (day, first_id, last_id)
    SELECT substr(created_at, 1, 10), MIN(id), MAX(id) FROM messages GROUP BY 1;
