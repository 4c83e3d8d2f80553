-- Retention deletes messages for good (DELETE, not is_deleted = 1), and no trigger told
-- the counts of 0004: a purged room went on counting its old messages, and its members
-- saw them as unread for ever (found by the power-cut tests' recount, issue 31). A
-- removed message now leaves the counts as a soft deletion does; the counts a purge
-- already spoiled are recounted once.
CREATE TRIGGER messages_count_remove AFTER DELETE ON messages
WHEN old.message_type != 'system' AND old.is_deleted = 0 BEGIN
    UPDATE rooms SET message_count = message_count - 1 WHERE id = old.room_id;
    UPDATE memberships SET seen_count = seen_count - 1
    WHERE room_id = old.room_id
      AND (last_read_message_id >= old.id OR user_id = old.sender_id);
END;
UPDATE rooms SET message_count = (
    SELECT COUNT(*) FROM messages m
    WHERE m.room_id = rooms.id AND m.message_type != 'system' AND m.is_deleted = 0);
UPDATE memberships SET seen_count = (
    SELECT COUNT(*) FROM messages m
    WHERE m.room_id = memberships.room_id AND m.message_type != 'system' AND m.is_deleted = 0
      AND (m.id <= memberships.last_read_message_id OR m.sender_id = memberships.user_id));
