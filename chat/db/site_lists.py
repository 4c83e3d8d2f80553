"""SQL for the admin console's lists: people, bots, rooms, direct rooms and deleted
rooms, each searched and paged on the server with its total, so a site with thousands
of each pages through them without sending them all."""

from __future__ import annotations

from chat.db.rooms import ROOM_SELECT, row_to_room
from chat.db.users import ACCOUNT_KIND, COLUMNS, like_pattern, row_to_account
from chat.models import Account, Room

# Which accounts and rooms each kind shows; the keys are the API's `kind` values.
ACCOUNT_KINDS = {"": "true", "people": "users.is_bot = 0", "bots": "users.is_bot = 1"}
ROOM_KINDS = {"": "true", "rooms": "r.room_type != 'direct'", "direct": "r.room_type = 'direct'"}
ACCOUNT_MATCH = """(users.username_key LIKE :p ESCAPE '\\'
                    OR lower(users.display_name) LIKE :p ESCAPE '\\')"""
ROOM_MATCH = "(lower(r.name) LIKE :p ESCAPE '\\' OR lower(r.slug) LIKE :p ESCAPE '\\')"


async def total(conn, sql: str, params: dict) -> int:
    rows = await conn.execute_fetchall(f"SELECT COUNT(*) FROM ({sql}) listed", params)
    return rows[0][0]


async def accounts(
    conn, query: str, kind: str, limit: int, offset: int
) -> tuple[list[Account], int]:
    """Accounts of a kind (ACCOUNT_KINDS) whose username or display name holds query."""
    where = f"SELECT users.id FROM users WHERE {ACCOUNT_KINDS[kind]} AND {ACCOUNT_MATCH}"
    params = {"p": like_pattern(query), "limit": limit, "offset": offset}
    rows = await conn.execute_fetchall(
        f"""SELECT {COLUMNS}, last_login_at, {ACCOUNT_KIND} AS kind FROM users
            WHERE id IN ({where}) ORDER BY username_key LIMIT :limit OFFSET :offset""",
        params,
    )
    return [row_to_account(row) for row in rows], await total(conn, where, params)


async def rooms(conn, query: str, kind: str, limit: int, offset: int) -> tuple[list[Room], int]:
    """Active rooms of a kind (ROOM_KINDS) whose name or slug holds query."""
    where = f"r.is_active = 1 AND {ROOM_KINDS[kind]} AND {ROOM_MATCH}"
    return await paged_rooms(conn, where, "r.is_official DESC, r.id", query, limit, offset)


async def deleted_rooms(conn, query: str, limit: int, offset: int) -> tuple[list[Room], int]:
    """Soft-deleted rooms not yet purged, the most recently deleted first."""
    where = f"r.is_active = 0 AND r.deleted_at IS NOT NULL AND {ROOM_MATCH}"
    return await paged_rooms(conn, where, "r.deleted_at DESC, r.id DESC", query, limit, offset)


async def paged_rooms(
    conn, where: str, order: str, query: str, limit: int, offset: int
) -> tuple[list[Room], int]:
    params = {"p": like_pattern(query), "limit": limit, "offset": offset}
    rows = await conn.execute_fetchall(
        f"{ROOM_SELECT} WHERE {where} ORDER BY {order} LIMIT :limit OFFSET :offset", params
    )
    found = await total(conn, f"SELECT r.id FROM rooms r WHERE {where}", params)
    return [row_to_room(row) for row in rows], found
