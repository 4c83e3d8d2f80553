"""`server.py vacuum`: give the space of deleted messages back to the file system.

VACUUM rewrites the whole database and blocks every writer while it runs, so a live
server's acknowledgements would stall or time out: it refuses while a server holds the
data directory's lock (stop the service, vacuum, start it; minutes for gigabytes).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from chat.ops.datadir import exclusive, require_database
from chat.settings import Settings


def database_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in (path, path.with_name(path.name + "-wal")) if p.exists())


def vacuum(settings: Settings) -> tuple[int, int]:
    """(bytes before, bytes after) of the database and its WAL."""
    require_database(settings)
    path = settings.database_path
    with exclusive(settings):
        before = database_bytes(path)
        conn = sqlite3.connect(path, isolation_level=None)
        try:
            conn.execute("PRAGMA busy_timeout=5000")
            conn.execute("VACUUM")
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            conn.close()
        return before, database_bytes(path)
