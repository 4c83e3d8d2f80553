-- Email for what people missed (../0024_email.sql).
ALTER TABLE users ADD COLUMN language TEXT CHECK (language IN ('en', 'zh'));
CREATE TABLE email_recipients (
    user_id       BIGINT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    address       TEXT NOT NULL,
    mode          TEXT NOT NULL DEFAULT 'batched' CHECK (mode IN ('never', 'batched', 'direct')),
    emailed_upto  BIGINT NOT NULL DEFAULT 0,
    claimed_by    TEXT,
    claimed_until DOUBLE PRECISION NOT NULL DEFAULT 0,
    next_try_at   DOUBLE PRECISION NOT NULL DEFAULT 0,
    failures      INTEGER NOT NULL DEFAULT 0,
    last_sent_at  TEXT
);
