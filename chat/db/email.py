"""SQL for email recipients: who wants email, and the mark of what was emailed.

What is due is always derived from the notifications table and emailed_upto, never
from memory: a restart re-reads the same truth.
"""

from __future__ import annotations

import sqlite3


async def recipient(conn, user_id: int) -> sqlite3.Row | None:
    rows = await conn.execute_fetchall(
        "SELECT * FROM email_recipients WHERE user_id = ?", (user_id,)
    )
    return rows[0] if rows else None


async def save_recipient(conn, user_id: int, address: str, mode: str) -> None:
    """A new recipient, or one coming back from never, starts at their newest
    notification: turning email on never mails what was missed before."""
    await conn.execute(
        """INSERT INTO email_recipients (user_id, address, mode, emailed_upto)
           VALUES (?, ?, ?, (SELECT coalesce(max(id), 0) FROM notifications WHERE user_id = ?))
           ON CONFLICT (user_id) DO UPDATE SET address = excluded.address,
               mode = excluded.mode, failures = 0, next_try_at = 0,
               emailed_upto = CASE WHEN email_recipients.mode = 'never'
                                   THEN excluded.emailed_upto
                                   ELSE email_recipients.emailed_upto END""",
        (user_id, address, mode, user_id),
    )


async def forget_recipient(conn, user_id: int) -> None:
    await conn.execute("DELETE FROM email_recipients WHERE user_id = ?", (user_id,))


async def set_mode(conn, user_id: int, mode: str) -> bool:
    cursor = await conn.execute(
        "UPDATE email_recipients SET mode = ? WHERE user_id = ?", (mode, user_id)
    )
    return cursor.rowcount > 0


async def due_recipients(
    conn, now: float, cutoff: str, oldest: str, limit: int
) -> list[tuple[int, str]]:
    """Users with an unread notification past their mark that is due: created before
    cutoff (the delay), or a direct message for those who want those at once."""
    rows = await conn.execute_fetchall(
        """SELECT e.user_id, e.mode FROM email_recipients e
           WHERE e.mode != 'never' AND e.next_try_at <= :now AND e.claimed_until <= :now
             AND EXISTS (
               SELECT 1 FROM notifications n LEFT JOIN rooms r ON r.id = n.room_id
               WHERE n.user_id = e.user_id AND n.is_read = 0 AND n.id > e.emailed_upto
                 AND n.notification_type IN ('message', 'mention', 'room_invite')
                 AND n.created_at >= :oldest
                 AND (n.created_at <= :cutoff
                      OR (e.mode = 'direct' AND r.room_type = 'direct')))
           ORDER BY e.next_try_at, e.user_id LIMIT :limit""",
        {"now": now, "cutoff": cutoff, "oldest": oldest, "limit": limit},
    )
    return [(row[0], row[1]) for row in rows]


async def pending(conn, user_id: int, after: int, oldest: str) -> list[sqlite3.Row]:
    """Every notification of an emailed kind past the mark (read or not), oldest first,
    with whether it is in a direct room."""
    return list(
        await conn.execute_fetchall(
            """SELECT n.id, n.created_at, n.is_read,
                      CASE WHEN r.room_type = 'direct' THEN 1 ELSE 0 END AS direct
               FROM notifications n LEFT JOIN rooms r ON r.id = n.room_id
               WHERE n.user_id = ? AND n.id > ? AND n.created_at >= ?
                 AND n.notification_type IN ('message', 'mention', 'room_invite')
               ORDER BY n.id""",
            (user_id, after, oldest),
        )
    )


async def claim(conn, user_id: int, owner: str, now: float, lease: float) -> sqlite3.Row | None:
    """This process sends the user's next email; None when another process holds them."""
    cursor = await conn.execute(
        """UPDATE email_recipients SET claimed_by = ?, claimed_until = ?
           WHERE user_id = ? AND claimed_until <= ? AND mode != 'never'""",
        (owner, now + lease, user_id, now),
    )
    return await recipient(conn, user_id) if cursor.rowcount else None


async def mark_emailed(conn, user_id: int, owner: str, upto: int, sent_at: str | None) -> None:
    """After the SMTP server accepted (sent_at), or when nothing was left to say."""
    await conn.execute(
        """UPDATE email_recipients SET
               emailed_upto = CASE WHEN emailed_upto > :upto THEN emailed_upto ELSE :upto END,
               claimed_by = NULL, claimed_until = 0, failures = 0, next_try_at = 0,
               last_sent_at = coalesce(:sent_at, last_sent_at)
           WHERE user_id = :user AND claimed_by = :owner""",
        {"upto": upto, "sent_at": sent_at, "user": user_id, "owner": owner},
    )


async def release(conn, user_id: int, owner: str, next_try_at: float) -> None:
    """The send failed: nothing is marked, the next attempt waits for next_try_at."""
    await conn.execute(
        """UPDATE email_recipients SET claimed_by = NULL, claimed_until = 0,
               failures = failures + 1, next_try_at = ?
           WHERE user_id = ? AND claimed_by = ?""",
        (next_try_at, user_id, owner),
    )


async def unclaim(conn, user_id: int, owner: str) -> None:
    """Not now (a tab is open): the user is looked at again on the next round."""
    await conn.execute(
        """UPDATE email_recipients SET claimed_by = NULL, claimed_until = 0
           WHERE user_id = ? AND claimed_by = ?""",
        (user_id, owner),
    )
