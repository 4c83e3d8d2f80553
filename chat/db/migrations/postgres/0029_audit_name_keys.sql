-- The audit filters compare names as lower(name) = lower(?), which both SQLite and
-- PostgreSQL run (COLLATE NOCASE is SQLite's alone): the name indexes become indexes
-- on that expression, so a filtered page stays an index walk on both engines.
DROP INDEX IF EXISTS audit_actor;
DROP INDEX IF EXISTS audit_target;
CREATE INDEX audit_actor ON audit_log(lower(actor_name), id);
CREATE INDEX audit_target ON audit_log(lower(target_name), id);
