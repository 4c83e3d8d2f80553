-- Issue 32: search on PostgreSQL, Chinese 2-character words included (chat/db/postgres_search.py).
-- pg_trgm cannot see a term shorter than three characters, and 部署, 服务, 会议 are two:
-- every message is indexed by the character bigrams of its lower-cased content instead.
-- A term of n >= 2 characters can only occur in a message holding all its bigrams
-- (chat_grams(content) @> chat_grams(term), through the GIN index); strpos on the
-- content then removes the false positives. Single characters are read by a bounded
-- window, as on SQLite.
--
-- An expression index, not a column filled after commit: PostgreSQL computes the
-- bigrams in its own process inside the statement (not on our event loop, which is why
-- SQLite's FTS insert moved out of the send path), so a message is findable the moment
-- it is acknowledged, and edits and deletions need no trigger. Deleted messages and
-- system notices are not indexed (search never shows them).
--
-- plpgsql, not a SQL function: PostgreSQL plans a SQL function's query again for every
-- row a statement inserts (about 1 ms a message); plpgsql keeps its plan for the session.
-- One pass over the characters: linear in the message's length (substr per position is
-- quadratic on multi-byte text: 250 ms for a 5,000-character message, here 15 ms).
-- COST makes the planner test strpos before it.
CREATE FUNCTION chat_grams(content text) RETURNS text[]
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE COST 1000 AS $$
DECLARE
    grams text[] := '{}';
    previous text;
    letter text;
BEGIN
    FOREACH letter IN ARRAY string_to_array(lower(content), NULL) LOOP
        IF previous IS NOT NULL THEN
            grams := grams || (previous || letter);
        END IF;
        previous := letter;
    END LOOP;
    RETURN grams;
END
$$;

CREATE INDEX messages_grams ON messages USING gin (chat_grams(content))
    WHERE is_deleted = 0 AND message_type != 'system';

-- A search reads the newest rows first and stops at a page: parallel workers cost their
-- start (40 ms measured) and never pay it back on this table's short reads.
ALTER TABLE messages SET (parallel_workers = 0);
