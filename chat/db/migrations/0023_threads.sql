-- Issue 28: threads. A reply (reply_to) belongs to its root's thread (thread_id, one
-- level: a reply to a reply names the same root). thread_only = 1: a reply kept out of
-- the room's main timeline, so it neither shows there nor counts in the room's unread.
-- Per root, threads keeps the counters the page shows; per follower, thread_follows
-- keeps seen_count and mention_count, so unread = reply_count - seen_count in constant
-- time, as memberships do for rooms (0004). Triggers move the counts in the same
-- transaction as the change, whatever path makes it.
ALTER TABLE messages ADD COLUMN thread_id INTEGER REFERENCES messages(id);
ALTER TABLE messages ADD COLUMN thread_only INTEGER NOT NULL DEFAULT 0;

-- Existing replies join their root's thread, followed down each chain of replies with a
-- passing index on reply_to, so a large data directory upgrades in n log n.
CREATE INDEX messages_reply_to_once ON messages(reply_to) WHERE reply_to IS NOT NULL;
CREATE TEMP TABLE thread_roots (id INTEGER PRIMARY KEY, root INTEGER NOT NULL);
WITH RECURSIVE chain(id, root) AS (
    SELECT m.id, m.reply_to FROM messages m JOIN messages p ON p.id = m.reply_to
    WHERE p.reply_to IS NULL
    UNION ALL
    SELECT m.id, chain.root FROM chain JOIN messages m ON m.reply_to = chain.id
)
INSERT OR IGNORE INTO thread_roots (id, root) SELECT id, root FROM chain;
UPDATE messages SET thread_id = (SELECT root FROM thread_roots t WHERE t.id = messages.id)
WHERE reply_to IS NOT NULL;
DROP TABLE thread_roots;
DROP INDEX messages_reply_to_once;

CREATE INDEX messages_thread ON messages(thread_id, id) WHERE thread_id IS NOT NULL;
-- The main timeline of a room, paged as fast as the whole room is.
CREATE INDEX messages_timeline ON messages(room_id, id) WHERE thread_only = 0;

CREATE TABLE threads (
    root_id       INTEGER PRIMARY KEY REFERENCES messages(id),
    room_id       INTEGER NOT NULL REFERENCES rooms(id),
    reply_count   INTEGER NOT NULL DEFAULT 0,   -- replies not deleted
    last_reply_id INTEGER,
    last_reply_at TEXT,
    last_repliers TEXT NOT NULL DEFAULT '[]'    -- up to 3 user ids, newest first (JSON)
);

CREATE TABLE thread_follows (
    user_id       INTEGER NOT NULL REFERENCES users(id),
    root_id       INTEGER NOT NULL REFERENCES messages(id),
    room_id       INTEGER NOT NULL REFERENCES rooms(id),
    last_read_id  INTEGER NOT NULL DEFAULT 0,
    seen_count    INTEGER NOT NULL DEFAULT 0,   -- replies read or one's own
    mention_count INTEGER NOT NULL DEFAULT 0,   -- mentions since the last read mark
    followed_at   TEXT NOT NULL,
    PRIMARY KEY (user_id, root_id)
);
CREATE INDEX thread_follows_root ON thread_follows(root_id);

INSERT INTO threads (root_id, room_id, reply_count, last_reply_id, last_reply_at)
SELECT thread_id, room_id, SUM(is_deleted = 0), MAX(id), MAX(created_at)
FROM messages WHERE thread_id IS NOT NULL GROUP BY thread_id;

-- Those who started or replied in a thread follow it, with everything read.
INSERT OR IGNORE INTO thread_follows
    (user_id, root_id, room_id, last_read_id, seen_count, followed_at)
SELECT m.sender_id, t.root_id, t.room_id, t.last_reply_id, t.reply_count, t.last_reply_at
FROM threads t JOIN messages m ON m.thread_id = t.root_id
WHERE m.sender_id IS NOT NULL
UNION ALL
SELECT m.sender_id, t.root_id, t.room_id, t.last_reply_id, t.reply_count, t.last_reply_at
FROM threads t JOIN messages m ON m.id = t.root_id
WHERE m.sender_id IS NOT NULL;

CREATE TRIGGER messages_thread_insert AFTER INSERT ON messages
WHEN new.thread_id IS NOT NULL AND new.is_deleted = 0 BEGIN
    INSERT OR IGNORE INTO threads (root_id, room_id) VALUES (new.thread_id, new.room_id);
    UPDATE threads SET reply_count = reply_count + 1, last_reply_id = new.id,
                       last_reply_at = new.created_at
    WHERE root_id = new.thread_id;
    UPDATE thread_follows SET seen_count = seen_count + 1
    WHERE root_id = new.thread_id AND user_id = new.sender_id;
END;

CREATE TRIGGER messages_thread_delete AFTER UPDATE OF is_deleted ON messages
WHEN old.thread_id IS NOT NULL AND old.is_deleted = 0 AND new.is_deleted = 1 BEGIN
    UPDATE threads SET reply_count = reply_count - 1 WHERE root_id = old.thread_id;
    UPDATE thread_follows SET seen_count = seen_count - 1
    WHERE root_id = old.thread_id AND (last_read_id >= old.id OR user_id = old.sender_id);
END;

CREATE TRIGGER messages_thread_remove AFTER DELETE ON messages
WHEN old.thread_id IS NOT NULL AND old.is_deleted = 0 BEGIN
    UPDATE threads SET reply_count = reply_count - 1 WHERE root_id = old.thread_id;
    UPDATE thread_follows SET seen_count = seen_count - 1
    WHERE root_id = old.thread_id AND (last_read_id >= old.id OR user_id = old.sender_id);
END;

-- A thread-only reply is not part of the room's count (0004, 0017 now skip it).
DROP TRIGGER messages_count_insert;
CREATE TRIGGER messages_count_insert AFTER INSERT ON messages
WHEN new.message_type != 'system' AND new.is_deleted = 0 AND new.thread_only = 0 BEGIN
    UPDATE rooms SET message_count = message_count + 1 WHERE id = new.room_id;
    UPDATE memberships SET seen_count = seen_count + 1
    WHERE room_id = new.room_id AND user_id = new.sender_id;
END;

DROP TRIGGER messages_count_delete;
CREATE TRIGGER messages_count_delete AFTER UPDATE OF is_deleted ON messages
WHEN old.message_type != 'system' AND old.is_deleted = 0 AND new.is_deleted = 1
     AND old.thread_only = 0 BEGIN
    UPDATE rooms SET message_count = message_count - 1 WHERE id = old.room_id;
    UPDATE memberships SET seen_count = seen_count - 1
    WHERE room_id = old.room_id
      AND (last_read_message_id >= old.id OR user_id = old.sender_id);
END;

DROP TRIGGER messages_count_remove;
CREATE TRIGGER messages_count_remove AFTER DELETE ON messages
WHEN old.message_type != 'system' AND old.is_deleted = 0 AND old.thread_only = 0 BEGIN
    UPDATE rooms SET message_count = message_count - 1 WHERE id = old.room_id;
    UPDATE memberships SET seen_count = seen_count - 1
    WHERE room_id = old.room_id
      AND (last_read_message_id >= old.id OR user_id = old.sender_id);
END;

-- A thread-only reply whose root is purged (retention) returns to the room's timeline:
-- it is counted there from then on, as read by whoever had read past it.
CREATE TRIGGER messages_count_unthread AFTER UPDATE OF thread_only ON messages
WHEN old.thread_only = 1 AND new.thread_only = 0 AND new.message_type != 'system'
     AND new.is_deleted = 0 BEGIN
    UPDATE rooms SET message_count = message_count + 1 WHERE id = new.room_id;
    UPDATE memberships SET seen_count = seen_count + 1
    WHERE room_id = new.room_id
      AND (last_read_message_id >= new.id OR user_id = new.sender_id);
END;
