-- Issue 24: a deleted room is kept (is_active = 0) until CHAT_ROOM_PURGE_DAYS after
-- deleted_at, so a site admin can restore it; the daily chores purge it after that.
-- Rooms deleted before this migration count from their last change.
ALTER TABLE rooms ADD COLUMN deleted_at TEXT;
UPDATE rooms SET deleted_at = updated_at WHERE is_active = 0;
CREATE INDEX rooms_deleted ON rooms(deleted_at) WHERE deleted_at IS NOT NULL;
