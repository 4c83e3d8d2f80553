-- Issue 32: a filtered search on PostgreSQL reads the narrowest source, as on SQLite
-- (chat/db/postgres_sources.py). Dates become an id range through each day's first and
-- last id: SQLite keeps them in message_days from its indexer, which PostgreSQL does not
-- run (its bigram index is kept in the storing statement), and a row per day updated by
-- every stored message would serialise the writers of every host on it. This index holds
-- each day's ids in order, so a day's first and last id are one probe each, always
-- current, imported messages (an older day at a higher id) included.
CREATE INDEX messages_days ON messages (substr(created_at, 1, 10), id);
