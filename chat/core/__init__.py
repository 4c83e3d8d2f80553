"""Core: the only place for domain rules and permission checks.

Functions take the Core context first, do their checks, write in one transaction
through Database.write and publish events to the hub after commit.
"""
from __future__ import annotations

from collections import deque
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

    def __post_init__(self) -> None:
        if self.limits is None:
            self.limits = RateLimiter({action: Rate(*getattr(self.settings, f"rate_{action}"))
                                       for action in ACTIONS})
    # Called with every event after commit, before the hub: metrics and bot calls
    # listen here. A listener must return at once (no awaiting, no I/O).
    listeners: list[Callable[[Event], None]] = field(default_factory=list)
    # Lower-cased username -> id of bots with an outgoing URL: a message that cannot
    # address one (the common case) costs no query.
    outgoing_bots: dict[str, int] = field(default_factory=dict)
    hook_windows: dict[int, deque] = field(default_factory=dict)  # hook id -> post times

    def text(self, key: str, **params) -> str:
        """A stored text (system messages, placeholders) in the server's language."""
        return translate(key, self.settings.language, **params)

    async def commit(self, job: Callable[[Any], Awaitable[Outcome]]) -> Any:
        """Run a write job; publish its events right after COMMIT; return its value."""
        def publish(outcome: Outcome) -> None:
            for event in outcome.events:
                for listener in self.listeners:
                    listener(event)
                self.hub.publish(event)
        outcome = await self.db.write(job, after_commit=publish)
        return outcome.value
