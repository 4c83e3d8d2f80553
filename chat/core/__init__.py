"""Core: the only place for domain rules and permission checks.

Functions take the Core context first, do their checks, write in one transaction
through Database.write and publish events to the hub after commit.
"""
from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable

from ..db import Database
from ..events import Event
from ..hub import Hub
from ..i18n import translate
from ..settings import Settings
from .ratelimit import ACTIONS, Rate, RateLimiter
from .throttle import Throttle


@dataclass
class Outcome:
    """What a write job returns: its value and the events to publish after commit."""
    value: Any
    events: list[Event] = field(default_factory=list)


@dataclass
class Core:
    db: Database
    hub: Hub
    settings: Settings
    secret: str
    throttle: Throttle = field(default_factory=Throttle)
    limits: RateLimiter | None = None
    directory: Any = None          # core.directory.Directory when CHAT_LDAP_URL is set
    backplane: Any = None  # chat.scale.backplane.Backplane when several processes share it
    # Set when something new falls due (a scheduled message, a reminder, a status
    # expiry): wakes the scheduler, which otherwise sleeps until the next due item.
    alarm: asyncio.Event = field(default_factory=asyncio.Event)

    def __post_init__(self) -> None:
        if self.limits is None:
            self.limits = RateLimiter({action: Rate(*getattr(self.settings, f"rate_{action}"))
                                       for action in ACTIONS})

    def text(self, key: str, **params) -> str:
        """A stored text (system messages, placeholders) in the server's language."""
        return translate(key, self.settings.language, **params)

    async def commit(self, job: Callable[[Any], Awaitable[Outcome]]) -> Any:
        """Run a write job; publish its events right after COMMIT; return its value.

        With several processes the backplane numbers and logs the events inside the
        same transaction, then delivers them here and to the others."""
        if self.backplane is not None:
            return await self._commit_shared(job)

        def publish(outcome: Outcome) -> None:
            for event in outcome.events:
                self.hub.publish(event)
        outcome = await self.db.write(job, after_commit=publish)
        return outcome.value

    async def _commit_shared(self, job: Callable[[Any], Awaitable[Outcome]]) -> Any:
        plane = self.backplane

        async def logged(conn):
            outcome = await job(conn)
            return outcome, await plane.record(conn, outcome.events)
        outcome, _ = await self.db.write(logged, after_commit=lambda done: plane.committed(done[1]))
        return outcome.value
