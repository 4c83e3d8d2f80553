-- Issue 30: guest accounts. A guest sees only the rooms they were added to
-- (chat/core/people/guests.py); guest_until is when the account is deactivated.
ALTER TABLE users ADD COLUMN is_guest INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN guest_until TEXT;
CREATE INDEX users_guest_until ON users(guest_until) WHERE is_guest = 1 AND is_active = 1;

-- Invitation links: used once, before expires_at. Only the secret's sha256 is kept;
-- rooms is a JSON array of room ids the guest is added to at sign-up.
CREATE TABLE guest_invitations (
    id          INTEGER PRIMARY KEY,
    secret_hash TEXT NOT NULL UNIQUE,
    rooms       TEXT NOT NULL DEFAULT '[]',
    guest_until TEXT,
    created_by  INTEGER NOT NULL REFERENCES users(id),
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    used_at     TEXT,
    used_by     INTEGER REFERENCES users(id)
);
