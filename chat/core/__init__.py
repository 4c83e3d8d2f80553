"""Core: the only place for domain rules and permission checks.

Functions take the Core context first, do their checks, write in one transaction
through Database.write and publish events to the hub after commit.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from chat.core.file_links import FileLinks
from chat.core.origin import Origin, current_origin, serving
from chat.core.parts import AuditState, Backplane, IntegrationState, PeopleState
from chat.core.ratelimit import ACTIONS, SHARED, Rate, RateLimiter
from chat.core.throttle import Throttle
from chat.db import Database
from chat.db.errors import ReadBudgetSpent, UnstorableText, storage_failure
from chat.errors import BadInput, ChatError, InsufficientStorage, Unavailable
from chat.events import Event, MessagePosted
from chat.hub import Hub
from chat.i18n import translate
from chat.settings import Settings


@dataclass
class Outcome:
    """What a write job returns: its value and the events to publish after commit."""

    value: Any
    events: list[Event] = field(default_factory=list)


def storage_error(exc: BaseException) -> ChatError | None:
    """The ChatError for a statement the storage refused (507 disk full, 503 unwritable,
    503 the database server unreachable, 400 text PostgreSQL cannot hold)."""
    if isinstance(exc, UnstorableText):
        return BadInput("nul_character")
    reason = storage_failure(exc)
    if reason == "disk_full":
        return InsufficientStorage("disk_full")
    if reason:
        return Unavailable(reason)
    return None


def log_failure(logger: logging.Logger, what: str, exc: BaseException) -> None:
    """A background job's failure. When the storage could not take it (the database
    server restarting: an outage the job outlives, retrying every few tenths of a
    second) one line per module every OUTAGE_LOG_SECONDS, no traceback; anything else
    is a bug, logged with its traceback every time."""
    if (reason := storage_failure(exc)) is None:
        logger.error("%s", what, exc_info=exc)
        return
    now = time.monotonic()
    if now - _outage_logged.get(logger.name, float("-inf")) >= OUTAGE_LOG_SECONDS:
        _outage_logged[logger.name] = now
        logger.error("%s: %s (%s)", what, reason, exc)


OUTAGE_LOG_SECONDS = 10.0
_outage_logged: dict[str, float] = {}  # logger name -> when it last told of an outage


def rates(settings: Settings) -> dict[str, Rate]:
    """Every bucket's rate; sign-ups are counted per hour (address) and per minute."""
    found = {action: Rate(*getattr(settings, f"rate_{action}")) for action in ACTIONS + SHARED}
    found["register_address"] = Rate(
        settings.register_per_address / 3600, max(1, settings.register_per_address)
    )
    found["register_site"] = Rate(
        settings.register_per_minute / 60, max(1, settings.register_per_minute)
    )
    return found


@dataclass
class Core:
    """What every core function is handed: the database, the hub, the settings, and the
    state kept between calls, in typed parts (chat/core/parts.py). chat/app.py creates
    it and starts and stops everything that runs beside it."""

    db: Database
    hub: Hub
    settings: Settings
    secret: str
    throttle: Throttle | None = None
    export_slots: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(2))
    limits: RateLimiter | None = None
    # Set while several processes share the database (chat/scale/shared.py start).
    backplane: Backplane | None = None
    # Called with every event after commit, before the hub: metrics and bot calls
    # listen here. A listener must return at once (no awaiting, no I/O).
    listeners: list[Callable[[Event], None]] = field(default_factory=list)
    # Set when something new falls due (a scheduled message, a reminder, a status
    # expiry): wakes the scheduler, which otherwise sleeps until the next due item.
    alarm: asyncio.Event = field(default_factory=asyncio.Event)
    file_links: FileLinks | None = None
    people: PeopleState = field(default_factory=PeopleState)
    integrations: IntegrationState = field(default_factory=IntegrationState)
    audit: AuditState = field(default_factory=AuditState)

    def __post_init__(self) -> None:
        if self.file_links is None:
            self.file_links = FileLinks(self.secret, self.settings.file_link_ttl)
        self.hub.file_links = self.file_links
        if self.throttle is None:
            self.throttle = Throttle(
                pair_limit=self.settings.login_pair_limit,
                address_limit=self.settings.login_address_limit,
                slowdown_after=self.settings.login_slowdown_after,
            )
        if self.limits is None:
            self.limits = RateLimiter(rates(self.settings))

    @asynccontextmanager
    async def bounded_read(self) -> AsyncIterator[Any]:
        """A read connection for searches and history pages, within the read budget:
        when it is spent the caller gets a 503 instead of everyone waiting."""
        try:
            async with self.db.bounded_read() as conn:
                yield conn
        except ReadBudgetSpent:
            raise Unavailable("read_budget_spent") from None

    def text(self, key: str, **params) -> str:
        """A stored text (system messages, placeholders) in the server's language."""
        return translate(key, self.settings.language, **params)

    async def commit(self, job: Callable[[Any], Awaitable[Outcome]]) -> Any:
        """Run a write job; publish its events right after COMMIT; return its value.

        With several processes the backplane numbers and logs the events inside the
        same transaction, then delivers them here and to the others. The job runs
        with the caller's Origin, for the audit entries it records."""
        origin = current_origin()
        job = self._from(origin, job)

        def publish(outcome: Outcome) -> None:
            self.tell_audited(origin)
            for event in outcome.events:
                self.tell_listeners(event)
                self.hub.publish(event)
                self._index_soon(event)

        try:
            if self.backplane is not None:
                return await self._commit_shared(job, origin)
            outcome = await self.db.write(job, after_commit=publish)
        except Exception as exc:
            if (error := storage_error(exc)) is None:
                raise
            raise error from exc
        return outcome.value

    @staticmethod
    def _from(origin: Origin, job: Callable[[Any], Awaitable[Outcome]]):
        async def job_from(conn) -> Outcome:
            token = serving.set(origin)
            try:
                return await job(conn)
            finally:
                serving.reset(token)

        return job_from

    def tell_audited(self, origin: Origin) -> None:
        if origin.recorded:
            for listener in self.audit.listeners:
                listener(origin.recorded)

    def tell_listeners(self, event: Event) -> None:
        """Only the process that committed an event tells its listeners: a bot is
        called once, and each process counts what it stored."""
        for listener in self.listeners:
            listener(event)

    async def _commit_shared(self, job: Callable[[Any], Awaitable[Outcome]], origin: Origin) -> Any:
        plane = self.backplane

        async def logged(conn):
            outcome = await job(conn)
            return outcome, await plane.record(conn, outcome.events)

        def committed(done) -> None:
            self.tell_audited(origin)
            for event in done[0].events:
                self.tell_listeners(event)
            plane.committed(done[1])
            for event in done[0].events:
                self._index_soon(event)

        outcome, _ = await self.db.write(logged, after_commit=committed)
        return outcome.value

    def _index_soon(self, event: Event) -> None:
        """A stored message is searchable within a second (chat/db/search_index.py)."""
        if isinstance(event, MessagePosted):
            self.db.indexer.poke()
