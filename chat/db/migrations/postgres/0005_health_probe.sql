-- One row that the start-up and health checks rewrite: proof that the database takes
-- writes right now (a full disk, a read-only mount or a held lock all show here).
CREATE TABLE health_probe (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    written_at  TEXT NOT NULL
);
