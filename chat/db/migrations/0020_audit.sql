-- Issue 30: the audit log, an append-only record of security-relevant actions.
-- Names are copied in (actor_name, target_name) so an entry still says who and what
-- after the account or room is renamed or purged. Paging is by id (newest first);
-- each filter has an index ending in id, so a filtered page of a million entries
-- reads only the page.
CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,
    actor_id    INTEGER,
    actor_name  TEXT,
    action      TEXT NOT NULL,
    target_type TEXT,
    target_id   TEXT,
    target_name TEXT,
    address     TEXT,
    user_agent  TEXT,
    request_id  TEXT,
    detail      TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_at ON audit_log(at);
CREATE INDEX audit_actor ON audit_log(actor_name COLLATE NOCASE, id);
CREATE INDEX audit_action ON audit_log(action, id);
CREATE INDEX audit_target ON audit_log(target_name COLLATE NOCASE, id);
-- Not editable through any API, nor by a slip in our own SQL: only the retention purge
-- (which deletes by age) may remove rows, and nothing may change one.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
