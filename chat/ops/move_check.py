"""Verification for migrate-to-postgres: per table, the row count and a sha256 over the
rows in primary-key order, each side computed from the values it reads back, never
from what the copy sent.

A row's canonical text is the JSON list of its values: NULL as null, a float that
holds a whole number as that integer (SQLite may keep 3.0 as 3 where PostgreSQL reads
3.0), bytes as {"hex": ...}. Both sides order by the key in byte order (SQLite's
BINARY, PostgreSQL's "C" collation), so a PostgreSQL server whose default collation
sorts text otherwise still agrees.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass

from chat.ops.move_plan import Table, quoted

FETCH = 5000
EXACT_FLOAT = 2**53


@dataclass(frozen=True)
class TableCheck:
    table: str
    sqlite_rows: int
    postgres_rows: int
    sqlite_sum: str
    postgres_sum: str

    @property
    def same(self) -> bool:
        return self.sqlite_rows == self.postgres_rows and self.sqlite_sum == self.postgres_sum


PLAIN = frozenset({str, int, type(None)})  # written as they are: most values of most rows
ENCODE = json.JSONEncoder(ensure_ascii=False, check_circular=False).encode


def canonical(value):
    if isinstance(value, float) and value.is_integer() and abs(value) < EXACT_FLOAT:
        return int(value)
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, bytes | memoryview):
        return {"hex": bytes(value).hex()}
    return value


class RowDigest:
    def __init__(self):
        self.rows = 0
        self._sha = hashlib.sha256()

    def add(self, rows: Iterable) -> None:
        lines = [
            ENCODE([v if type(v) in PLAIN else canonical(v) for v in row]) + "\n" for row in rows
        ]
        self._sha.update("".join(lines).encode("utf-8", "surrogatepass"))
        self.rows += len(lines)

    def hexdigest(self) -> str:
        return self._sha.hexdigest()


def select_in_key_order(table: Table, engine: str) -> str:
    byte_order = "BINARY" if engine == "sqlite" else '"C"'
    order = []
    for column in table.key:
        kind = table.kinds[table.columns.index(column)]
        order.append(quoted(column) + (f" COLLATE {byte_order}" if kind == "text" else ""))
    columns = ", ".join(quoted(c) for c in table.columns)
    return f"SELECT {columns} FROM {quoted(table.name)} ORDER BY {', '.join(order)}"


def sqlite_digest(source: sqlite3.Connection, table: Table) -> RowDigest:
    digest = RowDigest()
    cursor = source.execute(select_in_key_order(table, "sqlite"))
    while rows := cursor.fetchmany(FETCH):
        digest.add(rows)
    return digest


async def postgres_digest(conn, table: Table) -> RowDigest:
    digest = RowDigest()
    async with conn.transaction(readonly=True):
        cursor = conn.cursor(select_in_key_order(table, "postgres"), prefetch=FETCH)
        batch = []
        async for record in cursor:
            batch.append(tuple(record))
            if len(batch) >= FETCH:
                digest.add(batch)
                batch = []
        digest.add(batch)
    return digest


async def verify(source: sqlite3.Connection, conn, tables: list[Table]) -> list[TableCheck]:
    checks = []
    for table in tables:
        lite = sqlite_digest(source, table)
        pg = await postgres_digest(conn, table)
        checks.append(TableCheck(table.name, lite.rows, pg.rows, lite.hexdigest(), pg.hexdigest()))
    return checks


def render(checks: list[TableCheck]) -> str:
    """The verification as a table to print, one line per table."""
    width = max([len("table"), *(len(c.table) for c in checks)])
    lines = [f"{'table':<{width}}  {'SQLite rows':>11}  {'PostgreSQL rows':>15}  sha256"]
    for c in checks:
        verdict = (
            f"{c.sqlite_sum[:16]}  same"
            if c.same
            else f"{c.sqlite_sum[:16]} vs {c.postgres_sum[:16]}  DIFFERENT"
        )
        lines.append(f"{c.table:<{width}}  {c.sqlite_rows:>11}  {c.postgres_rows:>15}  {verdict}")
    return "\n".join(lines)
