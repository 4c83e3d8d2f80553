"""Reactions: one user's emoji on a message, toggled on and off.

Reacting is a small way of speaking, so it takes what sending takes: membership of
the room (a public room is not joined by a reaction: 403 until one joins) and not
being muted. The room hears a ReactionChanged event with the new counts.
"""

from __future__ import annotations

import re
import unicodedata

from chat.core import Core, Outcome
from chat.core.conversation.messages import check_can_speak, find_readable_message
from chat.db import messages as message_sql
from chat.errors import BadInput
from chat.events import ReactionChanged
from chat.models import Message, User

MAX_EMOJI = 16
SHORT_CODE = re.compile(r"^:[A-Za-z0-9_+\-]{1,14}:$")
# Separators, controls and unassigned code points never belong in an emoji.
REFUSED_CATEGORIES = {"Zs", "Zl", "Zp", "Cc", "Cs", "Co", "Cn"}


def check_emoji(emoji) -> str:
    """A short code like :+1:, or an emoji: a few non-ASCII symbols (with their joiners,
    variation selectors, or keycap digits), no letters of the Latin alphabet, no spaces."""
    if not isinstance(emoji, str) or not 1 <= len(emoji) <= MAX_EMOJI:
        raise BadInput("emoji_invalid")
    if SHORT_CODE.match(emoji):
        return emoji
    if emoji.isascii() or any(
        char.isspace()
        or (char.isascii() and char.isalpha())
        or unicodedata.category(char) in REFUSED_CATEGORIES
        for char in emoji
    ):
        raise BadInput("emoji_invalid")
    return emoji


async def toggle(core: Core, user: User, message_id, emoji) -> tuple[Message, bool]:
    """Add the caller's reaction, or take it back; (message with new counts, added)."""
    emoji = check_emoji(emoji)
    await core.limits.check(user.id, "reactions")

    async def job(conn):
        message, room, membership = await find_readable_message(conn, user, message_id)
        check_can_speak(membership)
        if message.is_deleted:
            raise BadInput("message_deleted")
        added = await message_sql.toggle_reaction(conn, message.id, user.id, emoji)
        updated = await message_sql.message_by_id(conn, message.id)
        return Outcome((updated, added), [ReactionChanged(room.id, updated, user, emoji, added)])

    return await core.commit(job)
