-- Unread counts in constant time (issue 11): a room counts its countable messages
-- (not system notices, not deleted); a membership counts those of them its member
-- does not see as unread (read ones and their own). Unread = the difference.
-- A user counts their unread notifications (the badge). Triggers keep every count
-- in the same transaction as the change, whatever code path makes it; read marks
-- move seen_count in chat/db/rooms.py.

ALTER TABLE rooms ADD COLUMN message_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE memberships ADD COLUMN seen_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN unread_notifications INTEGER NOT NULL DEFAULT 0;

UPDATE rooms SET message_count = (
    SELECT COUNT(*) FROM messages m
    WHERE m.room_id = rooms.id AND m.message_type != 'system' AND m.is_deleted = 0);
UPDATE memberships SET seen_count = (
    SELECT COUNT(*) FROM messages m
    WHERE m.room_id = memberships.room_id AND m.message_type != 'system' AND m.is_deleted = 0
      AND (m.id <= memberships.last_read_message_id OR m.sender_id = memberships.user_id));
UPDATE users SET unread_notifications = (
    SELECT COUNT(*) FROM notifications n WHERE n.user_id = users.id AND n.is_read = 0);

CREATE TRIGGER messages_count_insert AFTER INSERT ON messages
WHEN new.message_type != 'system' AND new.is_deleted = 0 BEGIN
    UPDATE rooms SET message_count = message_count + 1 WHERE id = new.room_id;
    UPDATE memberships SET seen_count = seen_count + 1
    WHERE room_id = new.room_id AND user_id = new.sender_id;
END;

CREATE TRIGGER messages_count_delete AFTER UPDATE OF is_deleted ON messages
WHEN old.message_type != 'system' AND old.is_deleted = 0 AND new.is_deleted = 1 BEGIN
    UPDATE rooms SET message_count = message_count - 1 WHERE id = old.room_id;
    UPDATE memberships SET seen_count = seen_count - 1
    WHERE room_id = old.room_id
      AND (last_read_message_id >= old.id OR user_id = old.sender_id);
END;

CREATE TRIGGER notifications_count_insert AFTER INSERT ON notifications
WHEN new.is_read = 0 BEGIN
    UPDATE users SET unread_notifications = unread_notifications + 1 WHERE id = new.user_id;
END;

CREATE TRIGGER notifications_count_read AFTER UPDATE OF is_read ON notifications
WHEN old.is_read != new.is_read BEGIN
    UPDATE users SET unread_notifications = unread_notifications
        + CASE WHEN new.is_read = 0 THEN 1 ELSE -1 END
    WHERE id = new.user_id;
END;

CREATE TRIGGER notifications_count_delete AFTER DELETE ON notifications
WHEN old.is_read = 0 BEGIN
    UPDATE users SET unread_notifications = unread_notifications - 1 WHERE id = old.user_id;
END;
