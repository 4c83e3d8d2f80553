-- Threads (../0023_threads.sql): thread_id names a reply's root; thread_only keeps a
-- reply out of the main timeline; threads and thread_follows keep the counters,
-- moved by triggers in the same transaction as the change.
ALTER TABLE messages ADD COLUMN thread_id BIGINT REFERENCES messages(id);
ALTER TABLE messages ADD COLUMN thread_only INTEGER NOT NULL DEFAULT 0;

-- Existing replies join their root's thread, followed down each chain of replies.
CREATE INDEX messages_reply_to_once ON messages(reply_to) WHERE reply_to IS NOT NULL;
CREATE TEMP TABLE thread_roots (id BIGINT PRIMARY KEY, root BIGINT NOT NULL) ON COMMIT DROP;
WITH RECURSIVE chain(id, root) AS (
    SELECT m.id, m.reply_to FROM messages m JOIN messages p ON p.id = m.reply_to
    WHERE p.reply_to IS NULL
    UNION ALL
    SELECT m.id, chain.root FROM chain JOIN messages m ON m.reply_to = chain.id
)
INSERT INTO thread_roots (id, root) SELECT id, root FROM chain ON CONFLICT DO NOTHING;
UPDATE messages SET thread_id = (SELECT root FROM thread_roots t WHERE t.id = messages.id)
WHERE reply_to IS NOT NULL;
DROP INDEX messages_reply_to_once;

CREATE INDEX messages_thread ON messages(thread_id, id) WHERE thread_id IS NOT NULL;
CREATE INDEX messages_timeline ON messages(room_id, id) WHERE thread_only = 0;

CREATE TABLE threads (
    root_id       BIGINT PRIMARY KEY REFERENCES messages(id),
    room_id       BIGINT NOT NULL REFERENCES rooms(id),
    reply_count   INTEGER NOT NULL DEFAULT 0,
    last_reply_id BIGINT,
    last_reply_at TEXT,
    last_repliers TEXT NOT NULL DEFAULT '[]'
);

CREATE TABLE thread_follows (
    user_id       BIGINT NOT NULL REFERENCES users(id),
    root_id       BIGINT NOT NULL REFERENCES messages(id),
    room_id       BIGINT NOT NULL REFERENCES rooms(id),
    last_read_id  BIGINT NOT NULL DEFAULT 0,
    seen_count    INTEGER NOT NULL DEFAULT 0,
    mention_count INTEGER NOT NULL DEFAULT 0,
    followed_at   TEXT NOT NULL,
    PRIMARY KEY (user_id, root_id)
);
CREATE INDEX thread_follows_root ON thread_follows(root_id);

INSERT INTO threads (root_id, room_id, reply_count, last_reply_id, last_reply_at)
SELECT thread_id, MIN(room_id), COUNT(*) FILTER (WHERE is_deleted = 0), MAX(id), MAX(created_at)
FROM messages WHERE thread_id IS NOT NULL GROUP BY thread_id;

INSERT INTO thread_follows
    (user_id, root_id, room_id, last_read_id, seen_count, followed_at)
SELECT m.sender_id, t.root_id, t.room_id, t.last_reply_id, t.reply_count, t.last_reply_at
FROM threads t JOIN messages m ON m.thread_id = t.root_id
WHERE m.sender_id IS NOT NULL
UNION ALL
SELECT m.sender_id, t.root_id, t.room_id, t.last_reply_id, t.reply_count, t.last_reply_at
FROM threads t JOIN messages m ON m.id = t.root_id
WHERE m.sender_id IS NOT NULL
ON CONFLICT DO NOTHING;

CREATE FUNCTION messages_thread_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO threads (root_id, room_id) VALUES (NEW.thread_id, NEW.room_id)
    ON CONFLICT DO NOTHING;
    UPDATE threads SET reply_count = reply_count + 1, last_reply_id = NEW.id,
                       last_reply_at = NEW.created_at
    WHERE root_id = NEW.thread_id;
    UPDATE thread_follows SET seen_count = seen_count + 1
    WHERE root_id = NEW.thread_id AND user_id = NEW.sender_id;
    RETURN NULL;
END $$;
CREATE TRIGGER messages_thread_insert AFTER INSERT ON messages FOR EACH ROW
WHEN (NEW.thread_id IS NOT NULL AND NEW.is_deleted = 0)
EXECUTE FUNCTION messages_thread_insert();

CREATE FUNCTION messages_thread_remove() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE threads SET reply_count = reply_count - 1 WHERE root_id = OLD.thread_id;
    UPDATE thread_follows SET seen_count = seen_count - 1
    WHERE root_id = OLD.thread_id AND (last_read_id >= OLD.id OR user_id = OLD.sender_id);
    RETURN NULL;
END $$;
CREATE TRIGGER messages_thread_delete AFTER UPDATE OF is_deleted ON messages FOR EACH ROW
WHEN (OLD.thread_id IS NOT NULL AND OLD.is_deleted = 0 AND NEW.is_deleted = 1)
EXECUTE FUNCTION messages_thread_remove();
CREATE TRIGGER messages_thread_remove AFTER DELETE ON messages FOR EACH ROW
WHEN (OLD.thread_id IS NOT NULL AND OLD.is_deleted = 0)
EXECUTE FUNCTION messages_thread_remove();

-- A thread-only reply is not part of the room's count (0004, 0017 now skip it).
DROP TRIGGER messages_count_insert ON messages;
CREATE TRIGGER messages_count_insert AFTER INSERT ON messages FOR EACH ROW
WHEN (NEW.message_type != 'system' AND NEW.is_deleted = 0 AND NEW.thread_only = 0)
EXECUTE FUNCTION messages_count_insert();

DROP TRIGGER messages_count_delete ON messages;
CREATE TRIGGER messages_count_delete AFTER UPDATE OF is_deleted ON messages FOR EACH ROW
WHEN (OLD.message_type != 'system' AND OLD.is_deleted = 0 AND NEW.is_deleted = 1
      AND OLD.thread_only = 0)
EXECUTE FUNCTION messages_count_remove();

DROP TRIGGER messages_count_remove ON messages;
CREATE TRIGGER messages_count_remove AFTER DELETE ON messages FOR EACH ROW
WHEN (OLD.message_type != 'system' AND OLD.is_deleted = 0 AND OLD.thread_only = 0)
EXECUTE FUNCTION messages_count_remove();

-- A thread-only reply whose root is purged returns to the room's timeline.
CREATE FUNCTION messages_count_unthread() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE rooms SET message_count = message_count + 1 WHERE id = NEW.room_id;
    UPDATE memberships SET seen_count = seen_count + 1
    WHERE room_id = NEW.room_id
      AND (last_read_message_id >= NEW.id OR user_id = NEW.sender_id);
    RETURN NULL;
END $$;
CREATE TRIGGER messages_count_unthread AFTER UPDATE OF thread_only ON messages FOR EACH ROW
WHEN (OLD.thread_only = 1 AND NEW.thread_only = 0 AND NEW.message_type != 'system'
      AND NEW.is_deleted = 0)
EXECUTE FUNCTION messages_count_unthread();
