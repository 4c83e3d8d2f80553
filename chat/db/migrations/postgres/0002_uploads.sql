-- Uploaded files (../0002_uploads.sql).
CREATE TABLE uploads (
    name           TEXT PRIMARY KEY,
    original_name  TEXT NOT NULL,
    size           BIGINT NOT NULL,
    uploader_id    BIGINT REFERENCES users(id),
    created_at     TEXT NOT NULL
);
