"""Link previews' rules: which links of a message get cards, when previews are off, the
per-URL cache, attaching cards after commit and their removal by the author.

Fetching is not here: chat/web/previewer.py fetches through the outbound door, after
the message's commit, and hands the cards to attach(). The send path never waits.
"""

from __future__ import annotations

import re

from chat.clock import ago, iso_utc
from chat.core import Core, Outcome
from chat.core.conversation.messages import find_readable_message
from chat.db import messages as message_sql
from chat.db import previews as preview_sql
from chat.db import rooms as room_sql
from chat.errors import Forbidden
from chat.events import MessageUpdated
from chat.models import LinkPreview, Message, User

# Printable ASCII only: Chinese text often follows a link with no space ("见https://x。"),
# and a pasted link is percent-encoded anyway.
LINK = re.compile(r"https?://[!-~]+", re.IGNORECASE)
UNSAFE = re.compile(r"[<>\"'`]")
# Punctuation that ends a sentence rather than the link.
TRAILING = ".,;:!?]}'\""


def links_in(text: str, limit: int) -> list[str]:
    """The first limit distinct http(s) links of text, as written."""
    found: list[str] = []
    for match in LINK.finditer(text or ""):
        link = trimmed(UNSAFE.split(match.group(0))[0])
        if link not in found and len(link) > len("https://"):
            found.append(link)
        if len(found) == limit:
            break
    return found


def trimmed(link: str) -> str:
    """Without the sentence's punctuation; a closing parenthesis stays when the link
    opened one (a wiki's "Tea_(drink)")."""
    while link:
        link = link.rstrip(TRAILING)
        if link.endswith(")") and link.count("(") < link.count(")"):
            link = link[:-1]
        else:
            return link
    return link


def wants_previews(core: Core, message: Message) -> list[str]:
    """The links to preview, before the room is looked at: none when the site turned
    previews off or the message is a notice, deleted, or has no links."""
    if not core.settings.previews or message.message_type == "system" or message.is_deleted:
        return []
    return links_in(message.content, core.settings.preview_links_per_message)


async def room_allows(core: Core, room_id: int) -> bool:
    room = await room_sql.room_by_id(core.db.reader, room_id)
    return room is not None and room.link_previews


async def cached(core: Core, url: str) -> tuple[bool, LinkPreview | None]:
    since = iso_utc(ago(core.settings.preview_cache_seconds))
    return await preview_sql.cached(core.db.reader, url, since)


async def remember(core: Core, url: str, card: LinkPreview | None) -> None:
    async def job(conn):
        await preview_sql.remember(conn, url, card)
        return Outcome(None)

    await core.commit(job)


def added_by_edit(core: Core, before: Message, after: Message) -> tuple[str, ...]:
    """The links an edit adds, to fetch after its commit as a post's are."""
    old = set(links_in(before.content, len(before.content)))
    return tuple(link for link in wants_previews(core, after) if link not in old)


async def attach(core: Core, message_id: int, cards: list[LinkPreview]) -> Message | None:
    """Store cards on the message beside those it has, in the order of its links, and
    tell its room (a message update, as an edit is), unless it was deleted meanwhile; a
    card whose link an edit removed meanwhile is dropped."""

    async def job(conn):
        message = await message_sql.message_by_id(conn, message_id)
        if message is None or message.is_deleted:
            return Outcome(None)
        by_url = {card.url: card for card in (*(message.previews or ()), *cards)}
        links = links_in(message.content, core.settings.preview_links_per_message)
        cards_now = [by_url[link] for link in links if link in by_url]
        if tuple(cards_now) == tuple(message.previews or ()):
            return Outcome(message)
        await preview_sql.set_message_previews(conn, message_id, cards_now)
        updated = await message_sql.message_by_id(conn, message_id)
        return Outcome(updated, [MessageUpdated(updated.room_id, updated)])

    return await core.commit(job)


async def remove(core: Core, user: User, message_id) -> Message:
    """The author removes the cards under their message; the room hears the update."""

    async def job(conn):
        message, room, _ = await find_readable_message(conn, user, message_id)
        if message.sender is None or message.sender.id != user.id:
            raise Forbidden("cannot_remove_previews")
        if not message.previews:
            return Outcome(message)
        await preview_sql.set_message_previews(conn, message.id, [])
        updated = await message_sql.message_by_id(conn, message.id)
        return Outcome(updated, [MessageUpdated(room.id, updated)])

    return await core.commit(job)


async def follow_edit(conn, message: Message, content: str) -> None:
    """In an edit's transaction: cards of links the new text no longer has go (the
    links it adds are fetched after commit: added_by_edit)."""
    if not message.previews:
        return
    still = set(links_in(content, len(content)))
    kept = [card for card in message.previews if card.url in still]
    if len(kept) != len(message.previews):
        await preview_sql.set_message_previews(conn, message.id, kept)


async def purge_expired(core: Core) -> None:
    """Daily: cache rows older than the cache time go (the cards on messages stay)."""
    before = iso_utc(ago(core.settings.preview_cache_seconds))

    async def job(conn):
        await preview_sql.forget_before(conn, before)
        return Outcome(None)

    await core.commit(job)


async def images_in_use(core: Core) -> set[str]:
    """The stored preview pictures a cache row or a message's card still names (their
    paths, /previews/<name>): the others may be swept (chat/web/preview_images.py)."""
    return await preview_sql.images_in_use(core.db.reader)
