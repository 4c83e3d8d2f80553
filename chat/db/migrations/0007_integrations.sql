-- Integrations: bot users (a hook or a Campfire-style bot posts as one), incoming
-- webhooks and bot keys. Secrets are stored as SHA-256 digests: a stolen database
-- file does not post into anyone's room.
ALTER TABLE users ADD COLUMN is_bot INTEGER NOT NULL DEFAULT 0;

-- A hook's message may carry a per-message display name (Slack's "username" override).
ALTER TABLE messages ADD COLUMN sender_name TEXT;

CREATE TABLE hooks (
    id          INTEGER PRIMARY KEY,
    room_id     INTEGER NOT NULL REFERENCES rooms(id),
    bot_id      INTEGER NOT NULL UNIQUE REFERENCES users(id),
    name        TEXT NOT NULL,
    key_digest  TEXT NOT NULL UNIQUE,             -- sha256 hex of the secret in /hooks/{key}
    created_by  INTEGER REFERENCES users(id),
    created_at  TEXT NOT NULL,
    last_used_at TEXT
);
CREATE INDEX hooks_room ON hooks(room_id);

CREATE TABLE bots (
    user_id       INTEGER PRIMARY KEY REFERENCES users(id),
    token_digest  TEXT NOT NULL,                  -- sha256 hex of the token in {id}-{token}
    outgoing_url  TEXT,                           -- set by a site admin only
    created_by    INTEGER REFERENCES users(id),
    created_at    TEXT NOT NULL
);
