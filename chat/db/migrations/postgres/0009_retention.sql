-- Per-room retention (issue 15): a room's messages older than this many days are deleted,
-- with their files. NULL: only the site-wide CHAT_RETENTION_DAYS applies (if set).
ALTER TABLE rooms ADD COLUMN retention_days INTEGER
    CHECK (retention_days IS NULL OR retention_days BETWEEN 1 AND 36500);
