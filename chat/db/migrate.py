"""Numbered .sql migrations applied in order; the version lives in PRAGMA user_version.

Each file runs in its own transaction together with the version bump, so an old
data directory is upgraded in place and a failed migration leaves it as it was.
"""

from __future__ import annotations

import re
from pathlib import Path

import aiosqlite

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


def available_migrations() -> list[tuple[int, Path]]:
    found = []
    for path in MIGRATIONS_DIR.iterdir():
        if match := NAME.match(path.name):
            found.append((int(match.group(1)), path))
    return sorted(found)


async def current_version(conn: aiosqlite.Connection) -> int:
    rows = await conn.execute_fetchall("PRAGMA user_version")
    return rows[0][0]


async def migrate(conn: aiosqlite.Connection) -> int:
    version = await current_version(conn)
    for number, path in available_migrations():
        if number <= version:
            continue
        script = path.read_text(encoding="utf-8")
        try:
            await conn.executescript(
                f"BEGIN IMMEDIATE;\n{script}\nPRAGMA user_version = {number};\nCOMMIT;"
            )
        except Exception:
            if conn.in_transaction:
                await conn.execute("ROLLBACK")
            # Several processes starting on one data directory (docs/scale-out.md):
            # another one applied it while this one waited for the lock.
            if (version := await current_version(conn)) >= number:
                continue
            raise
        version = number
    return version
