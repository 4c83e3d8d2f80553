-- A login: one sign-in of one user on one client. Its refresh tokens rotate through
-- generations (only the current one refreshes; an older one is a replay and ends the
-- login) and its cookie secret is stored hashed. Deleting the row ends the login:
-- its cookie, refresh token and access tokens (which name it) stop working at once.
CREATE TABLE sessions (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,  -- never reused: tokens name it
    user_id      INTEGER NOT NULL REFERENCES users(id),
    secret_hash  TEXT NOT NULL UNIQUE,            -- sha256 hex of the cookie secret
    generation   INTEGER NOT NULL DEFAULT 0,      -- the refresh token still valid
    created_at   TEXT NOT NULL,
    expires_at   INTEGER NOT NULL                 -- unix seconds; slides on refresh
);
CREATE INDEX sessions_user ON sessions(user_id);

-- Personal API tokens for scripts: long-lived, named, revocable (the row is deleted).
CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,  -- never reused: tokens name it
    user_id      INTEGER NOT NULL REFERENCES users(id),
    name         TEXT NOT NULL,
    secret_hash  TEXT NOT NULL UNIQUE,            -- sha256 hex of the whole token
    hint         TEXT NOT NULL,                   -- its first characters, to tell tokens apart
    created_at   TEXT NOT NULL,
    expires_at   INTEGER,                         -- unix seconds; NULL: until revoked
    last_used_at TEXT
);
CREATE INDEX api_tokens_user ON api_tokens(user_id);
