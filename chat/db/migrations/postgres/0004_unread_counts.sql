-- Unread counts in constant time (../0004_unread_counts.sql): triggers keep every count
-- in the same transaction as the change, whatever code path makes it.

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

CREATE FUNCTION messages_count_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE rooms SET message_count = message_count + 1 WHERE id = NEW.room_id;
    UPDATE memberships SET seen_count = seen_count + 1
    WHERE room_id = NEW.room_id AND user_id = NEW.sender_id;
    RETURN NULL;
END $$;
CREATE TRIGGER messages_count_insert AFTER INSERT ON messages FOR EACH ROW
WHEN (NEW.message_type != 'system' AND NEW.is_deleted = 0)
EXECUTE FUNCTION messages_count_insert();

-- Shared by the soft deletion here and the removal of 0017.
CREATE FUNCTION messages_count_remove() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE rooms SET message_count = message_count - 1 WHERE id = OLD.room_id;
    UPDATE memberships SET seen_count = seen_count - 1
    WHERE room_id = OLD.room_id
      AND (last_read_message_id >= OLD.id OR user_id = OLD.sender_id);
    RETURN NULL;
END $$;
CREATE TRIGGER messages_count_delete AFTER UPDATE OF is_deleted ON messages FOR EACH ROW
WHEN (OLD.message_type != 'system' AND OLD.is_deleted = 0 AND NEW.is_deleted = 1)
EXECUTE FUNCTION messages_count_remove();

CREATE FUNCTION notifications_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        UPDATE users SET unread_notifications = unread_notifications + 1 WHERE id = NEW.user_id;
    ELSIF TG_OP = 'DELETE' THEN
        UPDATE users SET unread_notifications = unread_notifications - 1 WHERE id = OLD.user_id;
    ELSE
        UPDATE users SET unread_notifications = unread_notifications
            + CASE WHEN NEW.is_read = 0 THEN 1 ELSE -1 END
        WHERE id = NEW.user_id;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER notifications_count_insert AFTER INSERT ON notifications FOR EACH ROW
WHEN (NEW.is_read = 0) EXECUTE FUNCTION notifications_count();
CREATE TRIGGER notifications_count_read AFTER UPDATE OF is_read ON notifications FOR EACH ROW
WHEN (OLD.is_read != NEW.is_read) EXECUTE FUNCTION notifications_count();
CREATE TRIGGER notifications_count_delete AFTER DELETE ON notifications FOR EACH ROW
WHEN (OLD.is_read = 0) EXECUTE FUNCTION notifications_count();
