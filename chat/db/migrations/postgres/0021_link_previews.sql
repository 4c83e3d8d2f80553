-- Issue 29: link previews. What a URL's page said (OpenGraph / Twitter card), kept a
-- day per URL so a link pasted in ten rooms is fetched once; found = 0 remembers a
-- page with nothing to show (refused, not HTML, no card) for as long.
CREATE TABLE link_previews (
    url         TEXT PRIMARY KEY,
    found       INTEGER NOT NULL,
    title       TEXT,
    description TEXT,
    site_name   TEXT,
    image       TEXT,                 -- our own copy's name under DATA_DIR/previews
    fetched_at  TEXT NOT NULL
);
CREATE INDEX link_previews_fetched ON link_previews(fetched_at);

-- The cards shown under a message (a JSON list), written after commit by the fetcher,
-- cleared when its author removes them. NULL: none.
ALTER TABLE messages ADD COLUMN previews TEXT;

-- Room admins may turn previews off for their room.
ALTER TABLE rooms ADD COLUMN link_previews INTEGER NOT NULL DEFAULT 1;
