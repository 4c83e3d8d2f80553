"""Software that posts: incoming webhooks and site-wide bots, each with its bot user."""

from __future__ import annotations

from dataclasses import dataclass

from chat.models.people import User


@dataclass(frozen=True)
class Hook:
    """An incoming webhook: it posts into one room as its own bot user."""

    id: int
    room_id: int
    name: str
    bot: User
    created_by: int | None
    created_at: str
    last_used_at: str | None
    active: bool = True  # its creator may post in its room now (else it is refused)


@dataclass(frozen=True)
class Bot:
    """A site-wide bot: a bot user with a key and maybe an outgoing URL."""

    user: User
    outgoing_url: str | None
    created_at: str
