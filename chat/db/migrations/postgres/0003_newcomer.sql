-- (../0003_newcomer.sql) Issue 10: uncapped rooms, archived rooms, deactivated users, system texts as data.

-- max_members 0 means "no limit" (shown as null); the shared room and official rooms
-- have none.
UPDATE rooms SET max_members = 0 WHERE is_official = 1;
-- An archived room keeps its members and history but takes no new messages or members.
ALTER TABLE rooms ADD COLUMN archived_at TEXT;
-- 1 while name and description are the server's own seeded texts: they follow
-- CHAT_LANGUAGE until an admin renames the room.
ALTER TABLE rooms ADD COLUMN default_text INTEGER NOT NULL DEFAULT 0;
UPDATE rooms SET default_text = 1
 WHERE slug = 'global' AND name = 'Global' AND description = 'The room everyone shares';

-- A deactivated user cannot sign in; their tokens and sockets stop working at once.
ALTER TABLE users ADD COLUMN is_active INTEGER NOT NULL DEFAULT 1;

-- Text the server writes is stored as a catalog key; each viewer sees it in their
-- language (content keeps the text in the server's language for old clients and search).
ALTER TABLE messages ADD COLUMN text_key TEXT;
UPDATE messages SET text_key = 'system_' || system_event
 WHERE message_type = 'system' AND system_event IN ('join', 'leave');
UPDATE messages SET text_key = 'uploaded_file'
 WHERE message_type IN ('image', 'file') AND file_url LIKE '/uploads/chat/%'
   AND content IN ('sent a file: ' || file_name, '发送了文件: ' || file_name);
ALTER TABLE notifications ADD COLUMN title_key TEXT;
ALTER TABLE notifications ADD COLUMN title_params TEXT;  -- JSON object
