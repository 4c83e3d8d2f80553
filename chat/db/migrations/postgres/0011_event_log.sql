-- The backplane's event log (../0011_event_log.sql). chat/db/event_log.py numbers an
-- event with INSERT ... ON CONFLICT DO UPDATE SET seq = seq + 1 RETURNING seq: the
-- stream's row stays locked until COMMIT, so writers on different hosts take the
-- numbers one after another, gap-free and in commit order.
CREATE TABLE event_streams (
    stream BIGINT PRIMARY KEY,
    seq    BIGINT NOT NULL
);

CREATE TABLE event_log (
    stream     BIGINT NOT NULL,
    seq        BIGINT NOT NULL,
    payload    TEXT   NOT NULL,
    created_at DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (stream, seq)
);

CREATE INDEX event_log_created ON event_log (created_at);
