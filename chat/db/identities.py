"""SQL for external_identities: directory and OpenID Connect accounts linked to users."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from chat.clock import iso_utc

COLUMNS = "id, user_id, provider, subject, external_name, email, disabled_at"


@dataclass(frozen=True)
class Identity:
    id: int
    user_id: int
    provider: str
    subject: str | None
    external_name: str
    email: str | None
    disabled_at: str | None


@dataclass(frozen=True)
class Linked:
    """An enabled, claimed link with what the re-check compares: the user's display
    name and admin flag."""

    id: int
    user_id: int
    subject: str
    external_name: str
    email: str | None
    display_name: str
    is_admin: bool


def _identity(row: sqlite3.Row) -> Identity:
    return Identity(*(row[name] for name in COLUMNS.split(", ")))


async def by_subject(conn, provider: str, subject: str) -> Identity | None:
    rows = await conn.execute_fetchall(
        f"SELECT {COLUMNS} FROM external_identities WHERE provider = ? AND subject = ?",
        (provider, subject),
    )
    return _identity(rows[0]) if rows else None


async def pending_link_by_name(conn, provider: str, external_name: str) -> Identity | None:
    """An admin's link of an account at provider to a user, not yet claimed by a sign-in."""
    rows = await conn.execute_fetchall(
        f"""SELECT {COLUMNS} FROM external_identities
            WHERE provider = ? AND subject IS NULL AND lower(external_name) = lower(?)""",
        (provider, external_name),
    )
    return _identity(rows[0]) if rows else None


async def of_user(conn, user_id: int) -> list[Identity]:
    rows = await conn.execute_fetchall(
        f"SELECT {COLUMNS} FROM external_identities WHERE user_id = ? ORDER BY id", (user_id,)
    )
    return [_identity(row) for row in rows]


async def enabled_of_provider(conn, provider: str) -> list[Linked]:
    rows = await conn.execute_fetchall(
        """SELECT i.id, i.user_id, i.subject, i.external_name, i.email, u.display_name,
                  u.is_admin
           FROM external_identities i JOIN users u ON u.id = i.user_id
           WHERE i.provider = ? AND i.subject IS NOT NULL AND i.disabled_at IS NULL
           ORDER BY i.id""",
        (provider,),
    )
    return [Linked(*row[:6], bool(row[6])) for row in rows]


async def is_disabled(conn, user_id: int) -> bool:
    rows = await conn.execute_fetchall(
        """SELECT 1 FROM external_identities
           WHERE user_id = ? AND disabled_at IS NOT NULL LIMIT 1""",
        (user_id,),
    )
    return bool(rows)


async def insert(
    conn,
    user_id: int,
    provider: str,
    subject: str | None,
    external_name: str,
    email: str | None,
    linked_by: int | None = None,
) -> None:
    stamp = iso_utc()
    await conn.execute(
        """INSERT INTO external_identities (user_id, provider, subject, external_name, email,
                                            linked_by, created_at, last_seen_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
        (
            user_id,
            provider,
            subject,
            external_name,
            email,
            linked_by,
            stamp,
            stamp if subject else None,
        ),
    )


async def record_sign_in(
    conn, identity_id: int, subject: str, external_name: str, email: str | None
) -> None:
    """A successful sign-in: claims a pending link, refreshes the name, re-enables."""
    await conn.execute(
        """UPDATE external_identities
           SET subject = ?, external_name = ?, email = ?, disabled_at = NULL, last_seen_at = ?
           WHERE id = ?""",
        (subject, external_name, email, iso_utc(), identity_id),
    )


async def rename(conn, identity_id: int, external_name: str, email: str | None) -> None:
    """The provider knows the account under a new name or address (same stable id)."""
    await conn.execute(
        "UPDATE external_identities SET external_name = ?, email = ? WHERE id = ?",
        (external_name, email, identity_id),
    )


async def set_disabled(conn, identity_id: int, disabled: bool) -> None:
    await conn.execute(
        "UPDATE external_identities SET disabled_at = ? WHERE id = ?",
        (iso_utc() if disabled else None, identity_id),
    )
