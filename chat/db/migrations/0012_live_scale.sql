-- Issue 11, second part (0004 counted unread messages and notifications).

-- Members (not banned) per room, for every room lookup and listing: counting them
-- cost a scan of the room's memberships on each socket open of a large room.
ALTER TABLE rooms ADD COLUMN members INTEGER NOT NULL DEFAULT 0;
UPDATE rooms SET members = (
    SELECT COUNT(*) FROM memberships x WHERE x.room_id = rooms.id AND x.is_banned = 0);
CREATE TRIGGER memberships_count_insert AFTER INSERT ON memberships
WHEN new.is_banned = 0 BEGIN
    UPDATE rooms SET members = members + 1 WHERE id = new.room_id;
END;
CREATE TRIGGER memberships_count_delete AFTER DELETE ON memberships
WHEN old.is_banned = 0 BEGIN
    UPDATE rooms SET members = members - 1 WHERE id = old.room_id;
END;
CREATE TRIGGER memberships_count_ban AFTER UPDATE OF is_banned ON memberships
WHEN old.is_banned != new.is_banned BEGIN
    UPDATE rooms SET members = members + CASE WHEN new.is_banned = 0 THEN 1 ELSE -1 END
    WHERE id = new.room_id;
END;

-- Search indexing after commit, in batches (issue 11): a message no longer pays a
-- trigram FTS insert of its own inside the send transaction. search_indexed.upto is
-- the highest message id already indexed, moved in the same transaction as the index
-- rows, so a crash loses nothing: at start the indexer indexes whatever is above it.
-- Edits and deletions keep the index right for rows already in it; a row above `upto`
-- is indexed later with whatever content it has then.
CREATE TABLE search_indexed (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    upto  INTEGER NOT NULL
);
INSERT INTO search_indexed (id, upto) VALUES (1, (SELECT COALESCE(MAX(id), 0) FROM messages));
DROP TRIGGER messages_fts_insert;
DROP TRIGGER messages_fts_update;
CREATE TRIGGER messages_fts_update AFTER UPDATE OF content, is_deleted ON messages
WHEN old.message_type != 'system' AND old.id <= (SELECT upto FROM search_indexed) BEGIN
    INSERT INTO messages_fts(messages_fts, rowid, content)
        SELECT 'delete', old.id, old.content WHERE old.is_deleted = 0;
    INSERT INTO messages_fts(rowid, content)
        SELECT new.id, new.content WHERE new.is_deleted = 0;
END;
