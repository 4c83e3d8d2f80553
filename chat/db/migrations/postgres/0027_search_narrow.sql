-- Issue 29's narrow search indexes (see the SQLite file of the same name). The day
-- table is kept by the SQLite search indexer; PostgreSQL's search reads its own GIN
-- index (0029) and does not consult it, but the table exists on both engines so the
-- schema and migrate-to-postgres stay one.
CREATE INDEX messages_room_sender ON messages(room_id, sender_id, id);
CREATE INDEX messages_files ON messages(id) WHERE file_url IS NOT NULL;
CREATE INDEX messages_images ON messages(id) WHERE message_type = 'image';

CREATE TABLE message_days (
    day       TEXT PRIMARY KEY,
    first_id  BIGINT NOT NULL,
    last_id   BIGINT NOT NULL
);
INSERT INTO message_days (day, first_id, last_id)
    SELECT substr(created_at, 1, 10), MIN(id), MAX(id) FROM messages GROUP BY 1;
