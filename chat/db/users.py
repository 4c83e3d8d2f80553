"""SQL for users."""

from __future__ import annotations

import sqlite3

from chat.clock import iso_utc
from chat.models import Account, User

COLUMNS = (
    "id, username, display_name, avatar_url, is_admin, created_at, is_bot, is_active, "
    "is_guest, guest_until"
)
# Everyone sharing an active room (not a direct one) with :user, bans excluded: the
# people a guest may see, search for, message directly and see online.
ROOM_FELLOWS = """
    SELECT DISTINCT o.user_id FROM memberships mine
    JOIN rooms r ON r.id = mine.room_id AND r.is_active = 1 AND r.room_type != 'direct'
    JOIN memberships o ON o.room_id = mine.room_id AND o.is_banned = 0
    WHERE mine.user_id = :user AND mine.is_banned = 0
"""
# A bot account posts for a webhook (a row in hooks) or is a bot with a token of its own.
ACCOUNT_KIND = """CASE WHEN users.is_bot = 0 THEN 'person'
                      WHEN EXISTS (SELECT 1 FROM hooks WHERE hooks.bot_id = users.id) THEN 'webhook'
                      ELSE 'bot' END"""


def user_columns(alias: str, prefix: str) -> str:
    """The user columns of table alias, renamed with prefix, for joins."""
    return ", ".join(f"{alias}.{c} AS {prefix}{c}" for c in COLUMNS.split(", "))


def like_pattern(query: str) -> str:
    """A LIKE pattern (ESCAPE '\\') that matches query anywhere, its wildcards literal."""
    return "%" + query.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def row_to_user(row: sqlite3.Row, prefix: str = "") -> User | None:
    if row[f"{prefix}id"] is None:
        return None
    return User(
        id=row[f"{prefix}id"],
        username=row[f"{prefix}username"],
        display_name=row[f"{prefix}display_name"],
        avatar_url=row[f"{prefix}avatar_url"],
        is_admin=bool(row[f"{prefix}is_admin"]),
        created_at=row[f"{prefix}created_at"],
        is_bot=bool(row[f"{prefix}is_bot"]),
        is_active=bool(row[f"{prefix}is_active"]),
        is_guest=bool(row[f"{prefix}is_guest"]),
        guest_until=row[f"{prefix}guest_until"],
    )


async def user_by_id(conn, user_id: int) -> User | None:
    rows = await conn.execute_fetchall(f"SELECT {COLUMNS} FROM users WHERE id = ?", (user_id,))
    return row_to_user(rows[0]) if rows else None


async def user_by_username(conn, username: str) -> User | None:
    rows = await conn.execute_fetchall(
        f"SELECT {COLUMNS} FROM users WHERE username_key = ?", (username.lower(),)
    )
    return row_to_user(rows[0]) if rows else None


async def credentials(conn, username: str) -> sqlite3.Row | None:
    """id, password_hash, token_version and is_active of a username, for login."""
    rows = await conn.execute_fetchall(
        "SELECT id, password_hash, token_version, is_active FROM users WHERE username_key = ?",
        (username.lower(),),
    )
    return rows[0] if rows else None


async def credentials_by_id(conn, user_id: int) -> sqlite3.Row | None:
    rows = await conn.execute_fetchall(
        "SELECT id, password_hash, token_version, is_active FROM users WHERE id = ?", (user_id,)
    )
    return rows[0] if rows else None


async def count_users(conn) -> int:
    rows = await conn.execute_fetchall("SELECT COUNT(*) FROM users")
    return rows[0][0]


async def insert_user(
    conn,
    username: str,
    display_name: str,
    password_hash: str | None,
    is_admin: bool,
    user_id: int | None = None,
    is_bot: bool = False,
    avatar_url: str | None = None,
) -> User:
    stamp = iso_utc()
    values = {
        "username": username,
        "username_key": username.lower(),
        "display_name": display_name,
        "password_hash": password_hash,
        "is_admin": int(is_admin),
        "is_bot": int(is_bot),
        "avatar_url": avatar_url,
        "created_at": stamp,
        "updated_at": stamp,
    }
    if user_id is not None:  # an explicit NULL is no "next id" on PostgreSQL
        values["id"] = user_id
    rows = await conn.execute_fetchall(
        f"""INSERT INTO users ({", ".join(values)})
            VALUES ({", ".join(":" + name for name in values)}) RETURNING id""",
        values,
    )
    return await user_by_id(conn, rows[0][0])


async def update_profile(conn, user_id: int, display_name: str, avatar_url: str | None) -> None:
    await conn.execute(
        "UPDATE users SET display_name = ?, avatar_url = ?, updated_at = ? WHERE id = ?",
        (display_name, avatar_url, iso_utc(), user_id),
    )


async def update_password(conn, user_id: int, password_hash: str) -> None:
    await conn.execute(
        """UPDATE users SET password_hash = ?, token_version = token_version + 1,
                            updated_at = ? WHERE id = ?""",
        (password_hash, iso_utc(), user_id),
    )


async def record_login(conn, user_id: int, ip: str | None, user_agent: str | None) -> None:
    await conn.execute(
        "UPDATE users SET last_ip = ?, last_user_agent = ?, last_login_at = ? WHERE id = ?",
        (ip, user_agent, iso_utc(), user_id),
    )


async def record_sign_in_time(conn, user_id: int) -> None:
    """A sign-in that names no address (a registration, a refresh, a cookie or an
    external token in use): only the time moves."""
    await conn.execute("UPDATE users SET last_login_at = ? WHERE id = ?", (iso_utc(), user_id))


async def last_address(conn, user_id: int) -> sqlite3.Row | None:
    rows = await conn.execute_fetchall(
        "SELECT id, last_ip, last_user_agent, last_login_at FROM users WHERE id = ?", (user_id,)
    )
    return rows[0] if rows else None


async def search_users(conn, query: str, limit: int, fellows_of: int | None = None) -> list[User]:
    """People, and bots one can talk to; never a webhook's user (a bot user without a
    bots row): nobody messages a CI script, and hooks would crowd the results.
    fellows_of: only the people sharing a room with this user (a guest), else everyone."""
    pattern = like_pattern(query)
    only = "" if fellows_of is None else f"AND (id = :user OR id IN ({ROOM_FELLOWS}))"
    rows = await conn.execute_fetchall(
        f"""SELECT {COLUMNS} FROM users
            WHERE (username_key LIKE :p ESCAPE '\\' OR lower(display_name) LIKE :p ESCAPE '\\')
              AND (is_bot = 0 OR id IN (SELECT user_id FROM bots)) {only}
            ORDER BY username_key LIMIT :limit""",
        {"p": pattern, "limit": limit, "user": fellows_of},
    )
    return [row_to_user(row) for row in rows]


async def all_user_ids(conn) -> list[int]:
    rows = await conn.execute_fetchall("SELECT id FROM users ORDER BY id")
    return [row[0] for row in rows]


async def user_for_token(conn, user_id: int, session_id: int | None) -> sqlite3.Row | None:
    """A user's columns, token_version and whether session_id is one of their live
    logins: everything an access token is checked against, in one indexed read."""
    rows = await conn.execute_fetchall(
        f"""SELECT {COLUMNS}, token_version,
                   EXISTS (SELECT 1 FROM sessions s WHERE s.id = ? AND s.user_id = users.id)
                     AS session_alive
            FROM users WHERE id = ?""",
        (session_id, user_id),
    )
    return rows[0] if rows else None


async def set_admin(conn, user_id: int, is_admin: bool) -> None:
    await conn.execute(
        "UPDATE users SET is_admin = ?, updated_at = ? WHERE id = ?",
        (int(is_admin), iso_utc(), user_id),
    )


async def end_sessions(conn, user_id: int) -> None:
    """Refresh tokens issued so far stop working (the password-change mechanism)."""
    await conn.execute(
        "UPDATE users SET token_version = token_version + 1, updated_at = ? WHERE id = ?",
        (iso_utc(), user_id),
    )


def row_to_account(row: sqlite3.Row) -> Account:
    return Account(row_to_user(row), row["last_login_at"], row["kind"])


async def account_by_id(conn, user_id: int) -> Account | None:
    rows = await conn.execute_fetchall(
        f"SELECT {COLUMNS}, last_login_at, {ACCOUNT_KIND} AS kind FROM users WHERE id = ?",
        (user_id,),
    )
    return row_to_account(rows[0]) if rows else None


async def set_standing(
    conn, user_id: int, is_admin: bool, is_active: bool, only_active: bool = False
) -> bool:
    """Deactivating also retires the user's refresh tokens. only_active: change a user
    who is still active, and say whether it did (a chore that two processes may run at
    once acts once)."""
    cursor = await conn.execute(
        f"""UPDATE users SET is_admin = ?, is_active = ?, updated_at = ?,
                            token_version = token_version
                              + CASE WHEN is_active = 1 AND ? = 0 THEN 1 ELSE 0 END
           WHERE id = ?{" AND is_active = 1" if only_active else ""}""",
        (int(is_admin), int(is_active), iso_utc(), int(is_active), user_id),
    )
    return cursor.rowcount > 0


async def language_of(conn, user_id: int) -> str | None:
    """The language the user chose for what reaches them away from the page."""
    rows = await conn.execute_fetchall("SELECT language FROM users WHERE id = ?", (user_id,))
    return rows[0][0] if rows else None


async def set_language(conn, user_id: int, language: str | None) -> None:
    await conn.execute("UPDATE users SET language = ? WHERE id = ?", (language, user_id))
