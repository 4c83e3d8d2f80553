"""`server.py migrate-to-postgres --to URL`: move a stopped SQLite site into an empty
PostgreSQL database, verified, and resumable after a Ctrl-C or a kill -9.

The site is read through a read-only connection while this command holds the data
directory's lock (a server holds it shared, so a running one refuses the command, and
one started meanwhile waits). The target is migrated with our own PostgreSQL
migrations to the site's schema version, then every shared table (move_plan.py) is
copied in foreign-key order, in primary-key batches through COPY, with the table's own
triggers off (the counters they keep are copied, not counted again). Each batch commits
together with its progress mark in SQLITE_MOVE, so a run that dies resumes after the
last committed batch: nothing is copied twice and nothing skipped. Then the identity
sequences are set past the highest id the site ever gave (sqlite_sequence included:
ids are never reused), and every table is verified (move_check.py). The bookkeeping
table is dropped only when every table agrees; after a difference it stays, and
running the command again verifies again.

A database that holds tables of something else, or a Teahouse site with people in it,
is refused; a migrated one nobody has used yet (a server started on it once) is fine.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass

import asyncpg

from chat.db.errors import DatabaseUnreachable
from chat.db.migrate import migrate_postgres
from chat.db.pg_connection import PgConnection
from chat.ops.datadir import NoDatabase, exclusive
from chat.ops.move_check import TableCheck, verify
from chat.ops.move_plan import MoveRefused, Table, plan, quoted
from chat.settings import POSTGRES_SCHEMES, Settings

SQLITE_MOVE = "sqlite_move"
SKIP = {SQLITE_MOVE, "schema_version"}
BATCH = 5000
PROGRESS_TABLE = f"""CREATE TABLE {SQLITE_MOVE} (
    table_name   TEXT PRIMARY KEY,
    source       TEXT NOT NULL,
    last_key     TEXT,
    rows_copied  BIGINT NOT NULL DEFAULT 0,
    done         INTEGER NOT NULL DEFAULT 0)"""


@dataclass(frozen=True)
class MoveResult:
    checks: list[TableCheck]
    copied: int  # rows copied by this run
    resumed: bool

    @property
    def same(self) -> bool:
        return all(check.same for check in self.checks)


def shown(url: str) -> str:
    """The URL without its password, for messages (as the server names its database)."""
    return Settings(database_url=url).database_shown


def target_url(settings: Settings, given: str | None) -> str:
    """--to, else CHAT_DATABASE_URL when it names PostgreSQL (keeps the password off
    the command line, where other users of the machine could read it)."""
    url = given or settings.database_url or ""
    if not url.startswith(POSTGRES_SCHEMES):
        raise MoveRefused(
            "name the target database: --to postgresql://user:password@host:port/db "
            "(or set CHAT_DATABASE_URL to it)"
        )
    return url


async def move_to_postgres(
    settings: Settings, url: str, batch: int = BATCH, say: Callable[[str], None] = print
) -> MoveResult:
    path = settings.database_path  # the site's file, whatever CHAT_DATABASE_URL says
    if not path.is_file() or path.stat().st_size == 0:
        raise NoDatabase(path)
    with exclusive(settings):
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            return await move(source, str(path.resolve()), url, batch, say)
        finally:
            source.close()


async def move(
    source: sqlite3.Connection, name: str, url: str, batch: int, say: Callable[[str], None]
) -> MoveResult:
    try:
        target = await PgConnection.open(url)
    except (DatabaseUnreachable, OSError, ValueError, asyncpg.PostgresError) as exc:
        raise MoveRefused(f"cannot connect to {shown(url)}: {exc}") from None
    try:
        return await copy_and_verify(source, name, url, target, batch, say)
    except asyncpg.PostgresError as exc:  # e.g. not the database's owner: one line, no trace
        raise MoveRefused(f"PostgreSQL refused: {exc}") from None
    finally:
        await target.close()


async def copy_and_verify(
    source: sqlite3.Connection, name: str, url: str, target, batch: int, say
) -> MoveResult:
    raw = target.raw
    version = source.execute("PRAGMA user_version").fetchone()[0]
    resumed = await check_target(raw, name, version, shown(url))
    if not resumed and await migrate_postgres(target, upto=version) != version:
        raise MoveRefused(
            f"the site's schema version {version} is newer than this Teahouse knows: "
            "run the migration with the Teahouse version the site ran"
        )
    tables = await plan(source, raw, SKIP)
    if resumed:
        say(f"resuming the copy into {shown(url)}")
    else:
        await start(raw, tables, name)
    copied = 0
    for table in tables:
        copied += await copy_table(source, raw, table, batch, say)
    await set_identities(source, raw, tables)
    checks = await verify(source, raw, tables)
    if all(check.same for check in checks):
        await raw.execute(f"DROP TABLE {SQLITE_MOVE}")
    return MoveResult(checks, copied, resumed)


async def check_target(raw, name: str, version: int, where: str) -> bool:
    """True to resume a copy of this site; False for a database to start in;
    MoveRefused for anything else."""
    tables = {
        row[0]
        for row in await raw.fetch(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
        )
    }
    if SQLITE_MOVE in tables:
        sources = {row[0] for row in await raw.fetch(f"SELECT DISTINCT source FROM {SQLITE_MOVE}")}
        if sources != {name}:
            raise MoveRefused(
                f"{where} holds an unfinished copy of another site ({', '.join(sources)})"
            )
        return True
    if not tables:
        return False
    if "schema_version" not in tables or "users" not in tables:
        listed = ", ".join(sorted(tables)[:5])
        raise MoveRefused(
            f"{where} holds tables that are not a Teahouse site's ({listed}): give "
            "migrate-to-postgres an empty database (createdb)"
        )
    if await raw.fetchval("SELECT version FROM schema_version") > version:
        raise MoveRefused(
            f"{where} has a newer schema than the site: upgrade the site first "
            "(start this Teahouse version on it once, then stop it)"
        )
    people = await raw.fetchval("SELECT COUNT(*) FROM users")
    if people:
        raise MoveRefused(
            f"{where} already holds a Teahouse site ({people} users): give "
            "migrate-to-postgres an empty database"
        )
    return False


async def start(raw, tables: list[Table], name: str) -> None:
    """The bookkeeping, and the rows the migrations seeded (the global room) gone, in one
    transaction: the site's own rows take their place."""
    async with raw.transaction():
        await raw.execute(PROGRESS_TABLE)
        await raw.execute(f"TRUNCATE {', '.join(quoted(t.name) for t in tables)} RESTART IDENTITY")
        await raw.executemany(
            f"INSERT INTO {SQLITE_MOVE} (table_name, source) VALUES ($1, $2)",
            [(table.name, name) for table in tables],
        )


def read_batch(source: sqlite3.Connection, table: Table, after: list | None, size: int) -> list:
    columns = ", ".join(quoted(c) for c in table.columns)
    key = ", ".join(quoted(c) for c in table.key)
    where = f"WHERE ({key}) > ({', '.join('?' * len(table.key))})" if after else ""
    return source.execute(
        f"SELECT {columns} FROM {quoted(table.name)} {where} ORDER BY {key} LIMIT ?",
        (*(after or ()), size),
    ).fetchall()


def converter(table: Table) -> Callable[[tuple], tuple]:
    """A site row as the PostgreSQL columns take it (COPY's binary format is strict)."""
    wanted = {"int": int, "float": float, "text": str, "bytes": bytes}

    def convert(index: int, value):
        kind = table.kinds[index]
        if kind == "float" and isinstance(value, int):
            return float(value)
        if kind == "int" and isinstance(value, float) and value.is_integer():
            return int(value)
        raise MoveRefused(
            f"{table.name}.{table.columns[index]} holds {value!r}, which a PostgreSQL "
            f"{kind} column cannot take"
        )

    types = [wanted.get(kind) for kind in table.kinds]

    def row_of(row: tuple) -> tuple:
        return tuple(
            v if v is None or types[i] is None or type(v) is types[i] else convert(i, v)
            for i, v in enumerate(row)
        )

    return row_of


async def copy_table(
    source: sqlite3.Connection, raw, table: Table, size: int, say: Callable[[str], None]
) -> int:
    """Copy what is left of one table, a batch per transaction with its progress mark."""
    state = await raw.fetchrow(
        f"SELECT last_key, rows_copied, done FROM {SQLITE_MOVE} WHERE table_name = $1",
        table.name,
    )
    if state["done"]:
        return 0
    after = last_key = json.loads(state["last_key"]) if state["last_key"] else None
    total, copied, row_of = state["rows_copied"], 0, converter(table)
    key_at = [table.columns.index(column) for column in table.key]
    while True:
        rows = read_batch(source, table, after, size)
        done = len(rows) < size
        if rows:
            after = [rows[-1][i] for i in key_at]
        try:
            await copy_batch(raw, table, rows, row_of, after, done)
        except asyncpg.PostgresError as exc:  # a row PostgreSQL refuses: say which, no trace
            raise MoveRefused(
                f"PostgreSQL refused a row of {table.name} after key {last_key}: {exc}; "
                "the rows before it are kept, run the command again once it is fixed"
            ) from None
        last_key = after
        copied += len(rows)
        if done:
            break
    say(f"copied {table.name}: {total + copied} rows")
    return copied


async def copy_batch(raw, table: Table, rows: list, row_of, after: list | None, done: bool):
    """One batch and its progress mark in one transaction."""
    async with raw.transaction():
        if rows:
            # The counters and thread rows our triggers keep are copied as the site has
            # them: the triggers must not count the copied rows again. Disabled inside
            # this transaction only, so a kill -9 leaves them enabled.
            await raw.execute(f"ALTER TABLE {quoted(table.name)} DISABLE TRIGGER USER")
            await raw.copy_records_to_table(
                table.name, records=[row_of(row) for row in rows], columns=table.columns
            )
            await raw.execute(f"ALTER TABLE {quoted(table.name)} ENABLE TRIGGER USER")
        await raw.execute(
            f"""UPDATE {SQLITE_MOVE} SET last_key = $1, rows_copied = rows_copied + $2,
                   done = $3 WHERE table_name = $4""",
            json.dumps(after),
            len(rows),
            int(done),
            table.name,
        )


async def set_identities(source: sqlite3.Connection, raw, tables: list[Table]) -> None:
    """Each identity sequence past the highest id the site has given (a deleted last row
    included: SQLite's AUTOINCREMENT never gives an id twice, nor does PostgreSQL)."""
    has_sequence = source.execute(
        "SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'"
    ).fetchone()
    for table in tables:
        if table.identity is None:
            continue
        column = quoted(table.identity)
        top = source.execute(f"SELECT MAX({column}) FROM {quoted(table.name)}").fetchone()[0]
        if has_sequence:
            given = source.execute(
                "SELECT seq FROM sqlite_sequence WHERE name = ?", (table.name,)
            ).fetchone()
            top = max(top or 0, given[0] if given else 0)
        await raw.execute(
            "SELECT setval(pg_get_serial_sequence($1, $2), $3, $4)",
            quoted(table.name),
            table.identity,
            max(top or 0, 1),
            bool(top),
        )
