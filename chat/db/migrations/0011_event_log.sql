-- The backplane's source of truth (used only when CHAT_REDIS_URL is set): every
-- committed event gets a gap-free sequence number in its stream (a room, or 0 for
-- events without one), assigned in the writing transaction, and its payload is kept
-- for a while so a process that missed it on the bus can fetch it from here.
CREATE TABLE event_streams (
    stream INTEGER PRIMARY KEY,
    seq    INTEGER NOT NULL
);

CREATE TABLE event_log (
    stream     INTEGER NOT NULL,
    seq        INTEGER NOT NULL,
    payload    TEXT    NOT NULL,
    created_at REAL    NOT NULL,
    PRIMARY KEY (stream, seq)
) WITHOUT ROWID;

CREATE INDEX event_log_created ON event_log (created_at);
