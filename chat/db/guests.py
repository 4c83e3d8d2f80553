"""SQL for guest accounts: who a guest may meet, their standing, invitation links."""

from __future__ import annotations

import json
import sqlite3

from chat.clock import iso_utc
from chat.db.users import COLUMNS, ROOM_FELLOWS, like_pattern, row_to_user
from chat.models import User


async def fellow_ids(conn, user_id: int) -> set[int]:
    rows = await conn.execute_fetchall(ROOM_FELLOWS, {"user": user_id})
    return {row[0] for row in rows} | {user_id}


async def share_a_room(conn, user_id: int, other_id: int) -> bool:
    rows = await conn.execute_fetchall(
        f"SELECT 1 FROM ({ROOM_FELLOWS}) fellows WHERE user_id = :other LIMIT 1",
        {"user": user_id, "other": other_id},
    )
    return bool(rows)


async def set_guest(conn, user_id: int, is_guest: bool, guest_until: str | None) -> None:
    await conn.execute(
        "UPDATE users SET is_guest = ?, guest_until = ?, updated_at = ? WHERE id = ?",
        (int(is_guest), guest_until if is_guest else None, iso_utc(), user_id),
    )


GUEST_MATCH = """is_guest = 1 AND (:q = '' OR username_key LIKE :p ESCAPE '\\'
                                  OR lower(display_name) LIKE :p ESCAPE '\\')"""


async def guests(
    conn, query: str, limit: int, offset: int
) -> tuple[list[tuple[User, str | None]], int]:
    """A page of the guest accounts matching query (name or username, with their last
    sign-in), newest first, and how many match."""
    params = {"q": query, "p": like_pattern(query), "limit": limit, "offset": offset}
    rows = await conn.execute_fetchall(
        f"""SELECT {COLUMNS}, last_login_at FROM users WHERE {GUEST_MATCH}
            ORDER BY id DESC LIMIT :limit OFFSET :offset""",
        params,
    )
    total = await conn.execute_fetchall(f"SELECT COUNT(*) FROM users WHERE {GUEST_MATCH}", params)
    return [(row_to_user(row), row["last_login_at"]) for row in rows], total[0][0]


async def room_names_of(conn, user_ids: list[int]) -> dict[int, list[str]]:
    """The names of the active rooms (not direct ones) of each user."""
    found: dict[int, list[str]] = {user_id: [] for user_id in user_ids}
    if user_ids:
        rows = await conn.execute_fetchall(
            f"""SELECT m.user_id, r.name FROM memberships m JOIN rooms r ON r.id = m.room_id
                WHERE m.user_id IN ({",".join("?" * len(user_ids))}) AND m.is_banned = 0
                  AND r.is_active = 1 AND r.room_type != 'direct'
                ORDER BY r.name""",
            user_ids,
        )
        for row in rows:
            found[row[0]].append(row[1])
    return found


async def expired_guest_ids(conn, now: str) -> list[int]:
    rows = await conn.execute_fetchall(
        """SELECT id FROM users WHERE is_guest = 1 AND is_active = 1
             AND guest_until IS NOT NULL AND guest_until <= ? LIMIT 100""",
        (now,),
    )
    return [row[0] for row in rows]


async def next_expiry(conn) -> str | None:
    rows = await conn.execute_fetchall(
        "SELECT MIN(guest_until) FROM users WHERE is_guest = 1 AND is_active = 1"
    )
    return rows[0][0]


async def insert_invitation(
    conn,
    secret_hash: str,
    room_ids: list[int],
    guest_until: str | None,
    created_by: int,
    expires_at: str,
) -> int:
    rows = await conn.execute_fetchall(
        """INSERT INTO guest_invitations
             (secret_hash, rooms, guest_until, created_by, created_at, expires_at)
           VALUES (?, ?, ?, ?, ?, ?) RETURNING id""",
        (secret_hash, json.dumps(room_ids), guest_until, created_by, iso_utc(), expires_at),
    )
    return rows[0][0]


async def invitation_by_secret(conn, secret_hash: str) -> sqlite3.Row | None:
    rows = await conn.execute_fetchall(
        "SELECT * FROM guest_invitations WHERE secret_hash = ?", (secret_hash,)
    )
    return rows[0] if rows else None


def room_ids(invitation: sqlite3.Row) -> list[int]:
    return [int(room_id) for room_id in json.loads(invitation["rooms"])]


async def use_invitation(conn, invitation_id: int, user_id: int) -> bool:
    """Marks the link used; False when it already was (single use, even under a race)."""
    cursor = await conn.execute(
        """UPDATE guest_invitations SET used_at = ?, used_by = ?
           WHERE id = ? AND used_at IS NULL""",
        (iso_utc(), user_id, invitation_id),
    )
    return cursor.rowcount == 1
