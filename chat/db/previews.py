"""SQL for link previews: the per-URL cache and the cards stored on a message."""

from __future__ import annotations

import dataclasses
import json

from chat.clock import iso_utc
from chat.db.messages import row_previews
from chat.models import LinkPreview


async def cached(conn, url: str, since: str) -> tuple[bool, LinkPreview | None]:
    """(known, card): known when url was fetched at or after since; card None when that
    fetch found nothing to show."""
    rows = await conn.execute_fetchall(
        """SELECT found, title, description, site_name, image FROM link_previews
           WHERE url = ? AND fetched_at >= ?""",
        (url, since),
    )
    if not rows:
        return False, None
    row = rows[0]
    if not row["found"]:
        return True, None
    return True, LinkPreview(url, row["title"], row["description"], row["site_name"], row["image"])


async def remember(conn, url: str, card: LinkPreview | None) -> None:
    values = dataclasses.asdict(card) if card else {}
    await conn.execute(
        """INSERT INTO link_previews
               (url, found, title, description, site_name, image, fetched_at)
           VALUES (?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (url) DO UPDATE SET found = excluded.found, title = excluded.title,
               description = excluded.description, site_name = excluded.site_name,
               image = excluded.image, fetched_at = excluded.fetched_at""",
        (
            url,
            int(card is not None),
            values.get("title"),
            values.get("description"),
            values.get("site_name"),
            values.get("image"),
            iso_utc(),
        ),
    )


async def forget_before(conn, before: str) -> None:
    await conn.execute("DELETE FROM link_previews WHERE fetched_at < ?", (before,))


async def set_message_previews(conn, message_id: int, cards: list[LinkPreview]) -> None:
    text = json.dumps([dataclasses.asdict(card) for card in cards]) if cards else None
    await conn.execute("UPDATE messages SET previews = ? WHERE id = ?", (text, message_id))


async def images_in_use(conn) -> set[str]:
    """Every picture path a cache row or a message's card names; the messages with cards
    are found through their own index (migration 0028), not by reading every message.
    The cards' JSON is read here rather than in SQL, the same on both engines."""
    rows = await conn.execute_fetchall("SELECT image FROM link_previews WHERE image IS NOT NULL")
    used = {row[0] for row in rows}
    rows = await conn.execute_fetchall("SELECT previews FROM messages WHERE previews IS NOT NULL")
    used.update(card.image for row in rows for card in row_previews(row[0]))
    return {image for image in used if image}
