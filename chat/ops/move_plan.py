"""What `server.py migrate-to-postgres` copies, read from both catalogs rather than kept
as a list: the tables the SQLite site and the migrated PostgreSQL database share (so
FTS5's tables and sqlite_* never qualify, nor PostgreSQL's schema_version), each with
its columns, its primary key (the order of batches and of the checksums), the
PostgreSQL type of each column and its identity column, in foreign-key order (a
table after every table it references; a reference to itself is left to the order of
its ids). A table a later migration adds is then copied without a change here.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

INTEGERS = {"bigint", "integer", "smallint"}
FLOATS = {"double precision", "real"}


class MoveRefused(Exception):
    """migrate-to-postgres cannot or must not go on; nothing more was written."""


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[str, ...]
    key: tuple[str, ...]  # the primary key's columns, in the key's order
    kinds: tuple[str, ...]  # per column: "int", "float", "text", "bytes" or "other"
    identity: str | None  # the column PostgreSQL numbers itself, if any


def quoted(name: str) -> str:
    """A catalog's name as an SQL identifier (ours are plain words; refuse others)."""
    if not name.isidentifier():
        raise MoveRefused(f"unexpected table or column name {name!r}")
    return f'"{name}"'


def kind_of(pg_type: str) -> str:
    if pg_type in INTEGERS:
        return "int"
    if pg_type in FLOATS:
        return "float"
    if pg_type == "text" or pg_type.startswith("character"):
        return "text"
    return "bytes" if pg_type == "bytea" else "other"


def sqlite_tables(source: sqlite3.Connection) -> dict[str, tuple[list[str], list[str]]]:
    """name -> (columns, primary key columns) of the site's own tables."""
    found = {}
    names = source.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    ).fetchall()
    for (name,) in names:
        info = source.execute(f"PRAGMA table_info({quoted(name)})").fetchall()
        columns = [row[1] for row in info]
        key = [row[1] for row in sorted((r for r in info if r[5]), key=lambda r: r[5])]
        found[name] = (columns, key)
    return found


PG_COLUMNS = """
SELECT c.relname AS table_name, a.attname AS column_name,
       format_type(a.atttypid, NULL) AS type, a.attidentity <> '' AS is_identity
  FROM pg_attribute a
  JOIN pg_class c ON c.oid = a.attrelid
 WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r'
   AND a.attnum > 0 AND NOT a.attisdropped
 ORDER BY c.relname, a.attnum"""
PG_REFERENCES = """
SELECT DISTINCT conrelid::regclass::text AS child, confrelid::regclass::text AS parent
  FROM pg_constraint
 WHERE contype = 'f' AND connamespace = current_schema()::regnamespace"""


async def postgres_tables(conn) -> dict[str, dict[str, tuple[str, bool]]]:
    """name -> {column: (type, is identity)} in the current schema (asyncpg)."""
    found: dict[str, dict[str, tuple[str, bool]]] = {}
    for row in await conn.fetch(PG_COLUMNS):
        found.setdefault(row["table_name"], {})[row["column_name"]] = (
            row["type"],
            row["is_identity"],
        )
    return found


def foreign_key_order(names: list[str], references: list[tuple[str, str]]) -> list[str]:
    """names with every parent before its children (by name where the order is free)."""
    parents = {name: set() for name in names}
    for child, parent in references:
        if child in parents and parent in parents and child != parent:
            parents[child].add(parent)
    ordered: list[str] = []
    while parents:
        ready = sorted(name for name, waiting in parents.items() if not waiting)
        if not ready:
            raise MoveRefused(f"foreign keys form a circle among {sorted(parents)}")
        for name in ready:
            ordered.append(name)
            del parents[name]
        for waiting in parents.values():
            waiting.difference_update(ready)
    return ordered


async def plan(source: sqlite3.Connection, conn, skip: set[str]) -> list[Table]:
    """The tables to copy, parents first; MoveRefused if the two schemas disagree."""
    lite = sqlite_tables(source)
    pg = await postgres_tables(conn)
    shared = sorted(set(lite) & set(pg) - skip)
    references = [(r["child"], r["parent"]) for r in await conn.fetch(PG_REFERENCES)]
    tables = []
    for name in foreign_key_order(shared, references):
        columns, key = lite[name]
        if columns != list(pg[name]):
            raise MoveRefused(
                f"table {name} has columns {columns} on SQLite but {list(pg[name])} on "
                "PostgreSQL: the two schemas are not the same version"
            )
        if not key:
            raise MoveRefused(f"table {name} has no primary key to copy it in order")
        identity = [column for column, (_, is_identity) in pg[name].items() if is_identity]
        tables.append(
            Table(
                name=name,
                columns=tuple(columns),
                key=tuple(key),
                kinds=tuple(kind_of(pg_type) for pg_type, _ in pg[name].values()),
                identity=identity[0] if identity else None,
            )
        )
    return tables
