"""SQL for the audit log: append, page (newest first, by id), export in id order,
and the retention purge. No statement here updates a row (a trigger forbids it)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import AsyncIterator
from dataclasses import dataclass

from chat.models import AuditEntry

COLUMNS = """id, at, actor_id, actor_name, action, target_type, target_id, target_name,
             address, user_agent, request_id, detail"""
INSERT = f"""INSERT INTO audit_log ({COLUMNS.replace("id, at", "at", 1)})
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"""
PAST_ALL = 1 << 62  # above every id (a parameter: PostgreSQL's 1 << 62 is an int4 shift)


@dataclass(frozen=True)
class AuditFilter:
    """What an admin asks for; None means any. before: an id (keyset paging)."""

    actor: str | None = None
    action: str | None = None
    target: str | None = None
    since: str | None = None
    until: str | None = None


def row_to_entry(row: sqlite3.Row) -> AuditEntry:
    return AuditEntry(**{**dict(row), "detail": json.loads(row["detail"])})


def entry_values(entry: AuditEntry) -> tuple:
    return (
        entry.at,
        entry.actor_id,
        entry.actor_name,
        entry.action,
        entry.target_type,
        entry.target_id,
        entry.target_name,
        entry.address,
        entry.user_agent,
        entry.request_id,
        json.dumps(entry.detail, ensure_ascii=False, separators=(",", ":")),
    )


async def insert_entry(conn, entry: AuditEntry) -> int:
    rows = await conn.execute_fetchall(f"{INSERT} RETURNING id", entry_values(entry))
    return rows[0][0]


def insert_entry_now(conn: sqlite3.Connection, entry: AuditEntry) -> None:
    """For the command line, which writes with the plain sqlite3 module (in the
    caller's transaction)."""
    conn.execute(INSERT, entry_values(entry))


def where(found: AuditFilter) -> tuple[str, dict]:
    """The WHERE clause of a filter. A date range becomes an id range first (through the
    index on at), so paging inside it stays a walk down the primary key."""
    clauses, params = ["true"], {}
    for column, value in (("actor_name", found.actor), ("target_name", found.target)):
        if value is not None:  # ASCII case folded, on the lower() indexes of 0026
            clauses.append(f"lower({column}) = lower(:{column})")
            params[column] = value
    if found.action is not None:
        clauses.append("action = :action")
        params["action"] = found.action
    if found.since is not None:
        clauses.append("""id >= coalesce((SELECT id FROM audit_log WHERE at >= :since
                                          ORDER BY at LIMIT 1), :past_all) AND at >= :since""")
        params.update(since=found.since, past_all=PAST_ALL)
    if found.until is not None:
        clauses.append("""id <= coalesce((SELECT id FROM audit_log WHERE at < :until
                                          ORDER BY at DESC LIMIT 1), 0) AND at < :until""")
        params["until"] = found.until
    return " AND ".join(clauses), params


async def page(conn, found: AuditFilter, before: int | None, limit: int) -> list[AuditEntry]:
    """Up to limit entries older than id before, the newest first."""
    clause, params = where(found)
    params.update(before=before if before is not None else PAST_ALL, limit=limit)
    rows = await conn.execute_fetchall(
        f"""SELECT {COLUMNS} FROM audit_log WHERE {clause} AND id < :before
            ORDER BY id DESC LIMIT :limit""",
        params,
    )
    return [row_to_entry(row) for row in rows]


async def stream(conn, found: AuditFilter, batch: int = 1000) -> AsyncIterator[AuditEntry]:
    """Every matching entry, the oldest first, read in batches of keyset pages."""
    clause, params = where(found)
    after = 0
    while True:
        rows = await conn.execute_fetchall(
            f"""SELECT {COLUMNS} FROM audit_log WHERE {clause} AND id > :after
                ORDER BY id LIMIT :batch""",
            {**params, "after": after, "batch": batch},
        )
        for row in rows:
            yield row_to_entry(row)
        if len(rows) < batch:
            return
        after = rows[-1]["id"]


async def delete_before(conn, cutoff: str, limit: int) -> int:
    """Removes up to limit entries older than cutoff; how many went."""
    cursor = await conn.execute(
        """DELETE FROM audit_log WHERE id IN (SELECT id FROM audit_log WHERE at < ?
           ORDER BY at LIMIT ?)""",
        (cutoff, limit),
    )
    return cursor.rowcount
