-- Teahouse schema, version 1. Times are ISO 8601 UTC text ("2024-01-01T12:00:00.000Z"),
-- which sorts in time order.

CREATE TABLE users (
    id             INTEGER PRIMARY KEY,
    username       TEXT NOT NULL,
    username_key   TEXT NOT NULL UNIQUE,          -- lower-cased: unique case-insensitively
    display_name   TEXT NOT NULL DEFAULT '',
    avatar_url     TEXT,
    password_hash  TEXT,                          -- NULL: provisioned from an external token
    is_admin       INTEGER NOT NULL DEFAULT 0,
    token_version  INTEGER NOT NULL DEFAULT 0,    -- bumped on password change: old refresh tokens die
    last_ip        TEXT,
    last_user_agent TEXT,
    last_login_at  TEXT,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
);

CREATE TABLE rooms (
    id           INTEGER PRIMARY KEY,
    slug         TEXT NOT NULL UNIQUE,
    name         TEXT NOT NULL,
    description  TEXT NOT NULL DEFAULT '',
    room_type    TEXT NOT NULL CHECK (room_type IN ('public', 'private', 'group', 'direct')),
    is_official  INTEGER NOT NULL DEFAULT 0,
    max_members  INTEGER NOT NULL DEFAULT 50,
    is_active    INTEGER NOT NULL DEFAULT 1,
    direct_key   TEXT UNIQUE,                     -- "small_id:large_id" for direct rooms
    created_by   INTEGER REFERENCES users(id),
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);
CREATE INDEX rooms_active_type ON rooms(is_active, room_type);

-- A row with is_banned = 0 is a member; a row with is_banned = 1 only records the ban.
CREATE TABLE memberships (
    id                    INTEGER PRIMARY KEY,
    room_id               INTEGER NOT NULL REFERENCES rooms(id),
    user_id               INTEGER NOT NULL REFERENCES users(id),
    role                  TEXT NOT NULL DEFAULT 'member' CHECK (role IN ('admin', 'moderator', 'member')),
    joined_at             TEXT NOT NULL,
    last_read_at          TEXT,
    last_read_message_id  INTEGER NOT NULL DEFAULT 0,
    is_muted              INTEGER NOT NULL DEFAULT 0,
    is_banned             INTEGER NOT NULL DEFAULT 0,
    UNIQUE (room_id, user_id)
);
CREATE INDEX memberships_user ON memberships(user_id, room_id);

CREATE TABLE invitations (
    room_id     INTEGER NOT NULL REFERENCES rooms(id),
    user_id     INTEGER NOT NULL REFERENCES users(id),
    invited_by  INTEGER NOT NULL REFERENCES users(id),
    created_at  TEXT NOT NULL,
    PRIMARY KEY (room_id, user_id)
) WITHOUT ROWID;

-- AUTOINCREMENT: ids strictly increase and are never reused, even after a delete.
CREATE TABLE messages (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    room_id       INTEGER NOT NULL REFERENCES rooms(id),
    sender_id     INTEGER REFERENCES users(id),
    message_type  TEXT NOT NULL DEFAULT 'text' CHECK (message_type IN ('text', 'image', 'file', 'system')),
    content       TEXT NOT NULL,
    system_event  TEXT,                           -- 'join' | 'leave' for system messages
    file_url      TEXT,
    file_name     TEXT,
    file_size     INTEGER,
    reply_to      INTEGER REFERENCES messages(id),
    client_id     TEXT,
    is_edited     INTEGER NOT NULL DEFAULT 0,
    is_deleted    INTEGER NOT NULL DEFAULT 0,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
CREATE INDEX messages_room ON messages(room_id, id);
CREATE INDEX messages_created ON messages(created_at);
CREATE UNIQUE INDEX messages_client ON messages(sender_id, client_id) WHERE client_id IS NOT NULL;

CREATE TABLE message_reads (
    user_id     INTEGER NOT NULL REFERENCES users(id),
    message_id  INTEGER NOT NULL REFERENCES messages(id),
    read_at     TEXT NOT NULL,
    PRIMARY KEY (user_id, message_id)
) WITHOUT ROWID;

CREATE TABLE message_edits (
    id                INTEGER PRIMARY KEY,
    message_id        INTEGER NOT NULL REFERENCES messages(id),
    previous_content  TEXT NOT NULL,
    edited_by         INTEGER REFERENCES users(id),
    edited_at         TEXT NOT NULL
);
CREATE INDEX message_edits_message ON message_edits(message_id, id);

CREATE TABLE reactions (
    message_id  INTEGER NOT NULL REFERENCES messages(id),
    user_id     INTEGER NOT NULL REFERENCES users(id),
    emoji       TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    PRIMARY KEY (message_id, emoji, user_id)
) WITHOUT ROWID;

CREATE TABLE notifications (
    id                 INTEGER PRIMARY KEY,
    user_id            INTEGER NOT NULL REFERENCES users(id),
    notification_type  TEXT NOT NULL CHECK (notification_type IN ('message', 'mention', 'room_invite', 'system')),
    title              TEXT NOT NULL,
    content            TEXT NOT NULL DEFAULT '',
    room_id            INTEGER REFERENCES rooms(id),
    message_id         INTEGER REFERENCES messages(id),
    is_read            INTEGER NOT NULL DEFAULT 0,
    created_at         TEXT NOT NULL
);
CREATE INDEX notifications_user ON notifications(user_id, is_read, id);

-- Full-text search over message content. The trigram tokenizer matches any substring
-- of three or more characters, which is what makes Chinese (no spaces) searchable.
CREATE VIRTUAL TABLE messages_fts USING fts5(
    content, content='messages', content_rowid='id', tokenize='trigram'
);
CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages
WHEN new.message_type != 'system' AND new.is_deleted = 0 BEGIN
    INSERT INTO messages_fts(rowid, content) VALUES (new.id, new.content);
END;
CREATE TRIGGER messages_fts_update AFTER UPDATE OF content, is_deleted ON messages
WHEN old.message_type != 'system' BEGIN
    INSERT INTO messages_fts(messages_fts, rowid, content)
        SELECT 'delete', old.id, old.content WHERE old.is_deleted = 0;
    INSERT INTO messages_fts(rowid, content)
        SELECT new.id, new.content WHERE new.is_deleted = 0;
END;

INSERT INTO rooms (slug, name, description, room_type, is_official, created_at, updated_at)
VALUES ('global', 'Global', 'The room everyone shares', 'public', 1,
        strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
