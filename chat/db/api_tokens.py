"""SQL for personal API tokens."""

from __future__ import annotations

import sqlite3

from chat.clock import iso_utc

COLUMNS = "id, user_id, name, hint, created_at, expires_at, last_used_at"


async def insert_token(
    conn, user_id: int, name: str, secret_hash: str, hint: str, expires_at: int | None
) -> sqlite3.Row:
    rows = await conn.execute_fetchall(
        f"""INSERT INTO api_tokens (user_id, name, secret_hash, hint, created_at, expires_at)
            VALUES (?, ?, ?, ?, ?, ?) RETURNING {COLUMNS}""",
        (user_id, name, secret_hash, hint, iso_utc(), expires_at),
    )
    return rows[0]


async def token_by_secret(conn, secret_hash: str) -> sqlite3.Row | None:
    rows = await conn.execute_fetchall(
        f"SELECT {COLUMNS} FROM api_tokens WHERE secret_hash = ?", (secret_hash,)
    )
    return rows[0] if rows else None


async def token_of(conn, user_id: int, token_id: int) -> sqlite3.Row | None:
    rows = await conn.execute_fetchall(
        f"SELECT {COLUMNS} FROM api_tokens WHERE id = ? AND user_id = ?", (token_id, user_id)
    )
    return rows[0] if rows else None


async def tokens_of(conn, user_id: int) -> list[sqlite3.Row]:
    return await conn.execute_fetchall(
        f"SELECT {COLUMNS} FROM api_tokens WHERE user_id = ? ORDER BY id", (user_id,)
    )


async def count_tokens(conn, user_id: int) -> int:
    rows = await conn.execute_fetchall(
        "SELECT COUNT(*) FROM api_tokens WHERE user_id = ?", (user_id,)
    )
    return rows[0][0]


async def delete_token(conn, user_id: int, token_id: int) -> bool:
    cursor = await conn.execute(
        "DELETE FROM api_tokens WHERE id = ? AND user_id = ?", (token_id, user_id)
    )
    return cursor.rowcount == 1


async def delete_user_tokens(conn, user_id: int) -> None:
    await conn.execute("DELETE FROM api_tokens WHERE user_id = ?", (user_id,))


async def touch_token(conn, token_id: int) -> bool:
    """Notes a use now; True when it was the token's first (run by the one writer, so
    two first requests at once cannot both be first)."""
    rows = await conn.execute_fetchall(
        "SELECT last_used_at FROM api_tokens WHERE id = ?", (token_id,)
    )
    await conn.execute("UPDATE api_tokens SET last_used_at = ? WHERE id = ?", (iso_utc(), token_id))
    return bool(rows) and rows[0][0] is None
