-- Uploaded files: the stored, unguessable name and what a download may call it.
-- The row is written before the message that links the file, so a link never 404s.
CREATE TABLE uploads (
    name           TEXT PRIMARY KEY,              -- "<uuid4 hex>.<ext>" in uploads/chat/
    original_name  TEXT NOT NULL,                 -- for display and downloads, never a path
    size           INTEGER NOT NULL,
    uploader_id    INTEGER REFERENCES users(id),
    created_at     TEXT NOT NULL
) WITHOUT ROWID;
