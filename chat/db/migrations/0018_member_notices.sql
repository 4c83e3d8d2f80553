-- Issue 27: join and leave notices that stay linear in large rooms.

-- What a room above CHAT_JOIN_NOTICE_THRESHOLD members says when people come and go:
-- 'always' one notice per person (as small rooms do), 'coalesced' one notice per
-- interval naming a few ("Alice, Bob and 98 more joined"), 'never' nothing.
ALTER TABLE rooms ADD COLUMN join_notices TEXT NOT NULL DEFAULT 'coalesced'
    CHECK (join_notices IN ('always', 'coalesced', 'never'));

-- The words a server-written text is filled with (JSON), for texts whose words are
-- not the sender's name: a coalesced notice names several people and counts the rest.
ALTER TABLE messages ADD COLUMN text_params TEXT;

-- Joins and leaves of large 'coalesced' rooms waiting for their room's next notice.
-- The rows live in the database every process shares: whichever process flushes a
-- room takes and deletes them in one write transaction, so a room gets at most one
-- notice per interval however many processes serve it.
CREATE TABLE member_notices (
    id         INTEGER PRIMARY KEY,
    room_id    INTEGER NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    event      TEXT NOT NULL CHECK (event IN ('join', 'leave')),
    noted_at   REAL NOT NULL   -- unix seconds
);
CREATE INDEX member_notices_room ON member_notices (room_id, noted_at);
