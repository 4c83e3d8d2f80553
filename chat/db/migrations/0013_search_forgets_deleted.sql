-- A message removed for good (retention) leaves the search index with it, in the same
-- statement. Only rows already indexed are told to the index: an external-content
-- FTS5 table asked to forget a row it never held corrupts itself ("database disk image
-- is malformed"), and rows above search_indexed.upto were never indexed.
CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages
WHEN old.message_type != 'system' AND old.is_deleted = 0
     AND old.id <= (SELECT upto FROM search_indexed) BEGIN
    INSERT INTO messages_fts(messages_fts, rowid, content) VALUES ('delete', old.id, old.content);
END;
