-- Issue 26: email for what people missed. A user's language (NULL: the server's), read by
-- every text sent to them while away (push and email). email_recipients holds who wants
-- email, and the truth of what was sent: emailed_upto is the notification id up to which
-- everything was emailed or passed over, committed only after the SMTP server accepted
-- the email, so a restart sends nothing twice and forgets nothing. A process claims a
-- user (claimed_by, claimed_until: epoch seconds) before sending, so with several
-- processes one sends; a failed attempt leaves next_try_at for the backoff.
ALTER TABLE users ADD COLUMN language TEXT CHECK (language IN ('en', 'zh'));
CREATE TABLE email_recipients (
    user_id       INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    address       TEXT NOT NULL,
    mode          TEXT NOT NULL DEFAULT 'batched' CHECK (mode IN ('never', 'batched', 'direct')),
    emailed_upto  INTEGER NOT NULL DEFAULT 0,
    claimed_by    TEXT,
    claimed_until REAL NOT NULL DEFAULT 0,
    next_try_at   REAL NOT NULL DEFAULT 0,
    failures      INTEGER NOT NULL DEFAULT 0,
    last_sent_at  TEXT
);
