"""SQL for Web Push subscriptions (one row per opted-in browser)."""

from __future__ import annotations

import sqlite3

from chat.clock import iso_utc
from chat.models import PushSubscription


def row_to_subscription(row: sqlite3.Row) -> PushSubscription:
    return PushSubscription(
        id=row["id"],
        user_id=row["user_id"],
        endpoint=row["endpoint"],
        p256dh=row["p256dh"],
        auth=row["auth"],
        label=row["label"],
        created_at=row["created_at"],
    )


async def upsert_subscription(
    conn, user_id: int, endpoint: str, p256dh: str, auth: str, label: str
) -> PushSubscription:
    """A browser that subscribes again (new keys, or another user signed in on it)
    replaces its row: an endpoint belongs to one user at a time."""
    await conn.execute(
        """INSERT INTO push_subscriptions (user_id, endpoint, p256dh, auth, label, created_at)
           VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT (endpoint) DO UPDATE SET user_id = excluded.user_id,
               p256dh = excluded.p256dh, auth = excluded.auth, label = excluded.label,
               created_at = excluded.created_at""",
        (user_id, endpoint, p256dh, auth, label, iso_utc()),
    )
    rows = await conn.execute_fetchall(
        "SELECT * FROM push_subscriptions WHERE endpoint = ?", (endpoint,)
    )
    return row_to_subscription(rows[0])


async def subscriptions_of(conn, user_id: int) -> list[PushSubscription]:
    rows = await conn.execute_fetchall(
        "SELECT * FROM push_subscriptions WHERE user_id = ? ORDER BY id", (user_id,)
    )
    return [row_to_subscription(row) for row in rows]


async def delete_subscription(conn, user_id: int, subscription_id: int) -> bool:
    cursor = await conn.execute(
        "DELETE FROM push_subscriptions WHERE id = ? AND user_id = ?", (subscription_id, user_id)
    )
    return cursor.rowcount > 0


async def forget_endpoint(conn, endpoint: str) -> bool:
    """The push service said the subscription is gone (404/410)."""
    cursor = await conn.execute("DELETE FROM push_subscriptions WHERE endpoint = ?", (endpoint,))
    return cursor.rowcount > 0
