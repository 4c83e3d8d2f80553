-- Issue 24: a file is served only to those who may read a room showing it, so the
-- rooms showing a file are looked up on every download.
CREATE INDEX messages_file ON messages(file_url) WHERE file_url IS NOT NULL;
-- Avatars stay public (docs/files.md): only a picture set through the avatar upload is
-- one, so pointing avatar_url at a room's file does not publish it.
ALTER TABLE uploads ADD COLUMN is_avatar INTEGER NOT NULL DEFAULT 0;
UPDATE uploads SET is_avatar = 1
 WHERE original_name = 'avatar.png' AND name LIKE '%.png'
   AND '/uploads/chat/' || name IN (SELECT avatar_url FROM users WHERE avatar_url IS NOT NULL);
