"""Numbered .sql migrations applied in order, from one list for both engines.

SQLite runs migrations/NNNN_name.sql and keeps the version in PRAGMA user_version;
PostgreSQL runs migrations/postgres/NNNN_name.sql (the same names, translated) and
keeps it in the schema_version table. Each file runs in its own transaction together
with the version bump, so an old database is upgraded in place and a failed migration
leaves it as it was. Several processes starting at once apply each file once: SQLite
serialises them with its write lock, PostgreSQL with an advisory lock.
"""

from __future__ import annotations

import re
from pathlib import Path

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")
MIGRATION_LOCK = 0x7EA  # pg_advisory_lock key held while one process migrates


def available_migrations(engine: str = "sqlite") -> list[tuple[int, Path]]:
    folder = MIGRATIONS_DIR / "postgres" if engine == "postgres" else MIGRATIONS_DIR
    found = []
    for path in folder.iterdir():
        if match := NAME.match(path.name):
            found.append((int(match.group(1)), path))
    return sorted(found)


async def current_version(conn) -> int:
    rows = await conn.execute_fetchall("PRAGMA user_version")
    return rows[0][0]


def pending(version: int, engine: str = "sqlite") -> list[tuple[int, str]]:
    """(number, script) of every migration above version, in order."""
    return [
        (number, path.read_text(encoding="utf-8"))
        for number, path in available_migrations(engine)
        if number > version
    ]


async def migrate(conn) -> int:
    """SQLite: apply the files above PRAGMA user_version."""
    version = await current_version(conn)
    for number, script in pending(version):
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


async def postgres_version(conn) -> int:
    await conn.executescript(
        """CREATE TABLE IF NOT EXISTS schema_version (
               id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL);
           INSERT INTO schema_version (id, version) VALUES (1, 0) ON CONFLICT DO NOTHING;"""
    )
    rows = await conn.execute_fetchall("SELECT version FROM schema_version")
    return rows[0][0]


async def migrate_postgres(conn, upto: int | None = None) -> int:
    """PostgreSQL: apply the files above schema_version, one process at a time; up to
    `upto` only when given (migrate-to-postgres matches a SQLite site's version)."""
    await conn.execute_fetchall(f"SELECT pg_advisory_lock({MIGRATION_LOCK})")
    try:
        version = await postgres_version(conn)
        for number, script in pending(version, "postgres"):
            if upto is not None and number > upto:
                break
            try:
                await conn.executescript(
                    f"BEGIN;\n{script}\nUPDATE schema_version SET version = {number};\nCOMMIT;"
                )
            except BaseException:
                if conn.in_transaction:
                    await conn.executescript("ROLLBACK")
                raise
            version = number
        return version
    finally:
        await conn.execute_fetchall(f"SELECT pg_advisory_unlock({MIGRATION_LOCK})")
