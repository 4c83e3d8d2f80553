-- Issue 14: what a team uses every week. Pinned and saved messages, per-room
-- notification levels, status and do-not-disturb, scheduled messages and reminders.

-- notify_level decides which notifications a member gets for the room ('default':
-- direct messages, replies and mentions, as before; 'all' also alerts the browser for
-- every message); a muted room (room_muted) shows no unread badge except for mentions.
ALTER TABLE memberships ADD COLUMN notify_level TEXT NOT NULL DEFAULT 'default'
    CHECK (notify_level IN ('default', 'all', 'mentions', 'nothing'));
ALTER TABLE memberships ADD COLUMN room_muted INTEGER NOT NULL DEFAULT 0;

-- Unread mentions per room, for the badge of a muted room.
CREATE INDEX notifications_room ON notifications(user_id, room_id, message_id);

-- One pin per message; the row goes when the message is deleted.
CREATE TABLE pins (
    message_id  INTEGER PRIMARY KEY REFERENCES messages(id),
    room_id     INTEGER NOT NULL REFERENCES rooms(id),
    pinned_by   INTEGER REFERENCES users(id),
    pinned_at   TEXT NOT NULL
);
CREATE INDEX pins_room ON pins(room_id, pinned_at);

CREATE TABLE saved_messages (
    user_id     INTEGER NOT NULL REFERENCES users(id),
    message_id  INTEGER NOT NULL REFERENCES messages(id),
    saved_at    TEXT NOT NULL,
    PRIMARY KEY (user_id, message_id)
) WITHOUT ROWID;
CREATE INDEX saved_messages_message ON saved_messages(message_id);

-- A status is shown until expires_at (NULL: until cleared).
CREATE TABLE user_statuses (
    user_id     INTEGER PRIMARY KEY REFERENCES users(id),
    emoji       TEXT NOT NULL DEFAULT '',
    text        TEXT NOT NULL DEFAULT '',
    dnd         INTEGER NOT NULL DEFAULT 0,
    expires_at  TEXT,
    updated_at  TEXT NOT NULL
);
CREATE INDEX user_statuses_expiry ON user_statuses(expires_at) WHERE expires_at IS NOT NULL;

-- Sent by the server at send_at through the normal send path; state records the outcome.
CREATE TABLE scheduled_messages (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users(id),
    room_id     INTEGER NOT NULL REFERENCES rooms(id),
    content     TEXT NOT NULL,
    reply_to    INTEGER REFERENCES messages(id),
    send_at     TEXT NOT NULL,
    state       TEXT NOT NULL DEFAULT 'pending'
                CHECK (state IN ('pending', 'sent', 'failed', 'cancelled')),
    message_id  INTEGER REFERENCES messages(id),
    error       TEXT,
    created_at  TEXT NOT NULL
);
CREATE INDEX scheduled_due ON scheduled_messages(send_at) WHERE state = 'pending';
CREATE INDEX scheduled_user ON scheduled_messages(user_id, state, send_at);

CREATE TABLE reminders (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users(id),
    message_id  INTEGER NOT NULL REFERENCES messages(id),
    remind_at   TEXT NOT NULL,
    state       TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done', 'cancelled')),
    created_at  TEXT NOT NULL
);
CREATE INDEX reminders_due ON reminders(remind_at) WHERE state = 'pending';
CREATE INDEX reminders_user ON reminders(user_id, state, remind_at);
