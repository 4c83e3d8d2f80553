-- Member counts per room (../0012_live_scale.sql).
ALTER TABLE rooms ADD COLUMN members INTEGER NOT NULL DEFAULT 0;
UPDATE rooms SET members = (
    SELECT COUNT(*) FROM memberships x WHERE x.room_id = rooms.id AND x.is_banned = 0);

CREATE FUNCTION memberships_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        UPDATE rooms SET members = members + 1 WHERE id = NEW.room_id;
    ELSIF TG_OP = 'DELETE' THEN
        UPDATE rooms SET members = members - 1 WHERE id = OLD.room_id;
    ELSE
        UPDATE rooms SET members = members + CASE WHEN NEW.is_banned = 0 THEN 1 ELSE -1 END
        WHERE id = NEW.room_id;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER memberships_count_insert AFTER INSERT ON memberships FOR EACH ROW
WHEN (NEW.is_banned = 0) EXECUTE FUNCTION memberships_count();
CREATE TRIGGER memberships_count_delete AFTER DELETE ON memberships FOR EACH ROW
WHEN (OLD.is_banned = 0) EXECUTE FUNCTION memberships_count();
CREATE TRIGGER memberships_count_ban AFTER UPDATE OF is_banned ON memberships FOR EACH ROW
WHEN (OLD.is_banned != NEW.is_banned) EXECUTE FUNCTION memberships_count();

-- search_indexed.upto: the highest message id the search index holds. Kept for the
-- indexer's bookkeeping; the index itself on PostgreSQL is a later migration (issue 32,
-- pgsearch), so the FTS5 triggers of the SQLite file have no translation here.
CREATE TABLE search_indexed (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    upto  BIGINT NOT NULL
);
INSERT INTO search_indexed (id, upto) VALUES (1, (SELECT COALESCE(MAX(id), 0) FROM messages));
