-- A message removed for good leaves the counts as a soft deletion does
-- (../0017_retention_keeps_counts.sql); the function is 0004's.
CREATE TRIGGER messages_count_remove AFTER DELETE ON messages FOR EACH ROW
WHEN (OLD.message_type != 'system' AND OLD.is_deleted = 0)
EXECUTE FUNCTION messages_count_remove();
UPDATE rooms SET message_count = (
    SELECT COUNT(*) FROM messages m
    WHERE m.room_id = rooms.id AND m.message_type != 'system' AND m.is_deleted = 0);
UPDATE memberships SET seen_count = (
    SELECT COUNT(*) FROM messages m
    WHERE m.room_id = memberships.room_id AND m.message_type != 'system' AND m.is_deleted = 0
      AND (m.id <= memberships.last_read_message_id OR m.sender_id = memberships.user_id));
