-- ../0013_search_forgets_deleted.sql tells SQLite's FTS5 index about removed messages.
-- Search on PostgreSQL is a later migration (issue 32, pgsearch): nothing to do here.
SELECT 1;
