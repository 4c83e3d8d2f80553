"""Email delivery, off the send path (docs/email.md).

Every CHAT_EMAIL_CHECK_SECONDS the database says who has something due
(chat/db/email.py); those not at a tab here go on a bounded queue (CHAT_EMAIL_QUEUE;
full means counted as dropped and looked at again next round) served by
CHAT_EMAIL_CONCURRENCY workers. A worker claims the user in the database (so with
several processes one sends), builds the email (core/reach/email.py), hands it to the
SMTP server, and only then commits the mark. A failure keeps the mark, backs off
(CHAT_EMAIL_RETRY_SECONDS, doubled per failure, at most an hour) and is logged once
per ten minutes: nothing here can slow or fail a message being sent.
"""

from __future__ import annotations

import asyncio
import logging
import time

from aiohttp import web

from chat.clock import iso_utc
from chat.core import Core, log_failure
from chat.core.reach import away, email
from chat.core.reach.email_text import compose
from chat.core.site import leases
from chat.keys import core_key, mailer_key
from chat.outbound import mail
from chat.web.log_budget import LogBudget

log = logging.getLogger(__name__)
MAX_BACKOFF = 3600.0
FAILURE_LOG_INTERVAL = 600.0
STOP_SECONDS = 5.0


class Mailer:
    def __init__(self, core: Core):
        self.core = core
        settings = core.settings
        self.owner = leases.new_owner()
        self.queue: asyncio.Queue[int] = asyncio.Queue(settings.email_queue_limit)
        self.queued: set[int] = set()  # queued or being sent by this process
        self.holding: set[int] = set()  # claimed in the database by this process
        self.sent = self.failed = self.dropped = 0
        self.failures_logged = LogBudget(1, FAILURE_LOG_INTERVAL, self.summarize)
        self.tasks = [asyncio.create_task(self.watch(), name="email-watch")] + [
            asyncio.create_task(self.work(), name=f"email-{n}")
            for n in range(settings.email_concurrency)
        ]

    async def watch(self) -> None:
        while True:
            try:
                await self.look()
            except Exception as exc:
                log_failure(log, "looking for due emails failed", exc)
            await asyncio.sleep(self.core.settings.email_check_seconds)

    async def look(self) -> None:
        settings = self.core.settings
        due = await email.due(self.core, time.time())
        for user_id, mode in due:
            left = away.away_seconds(self.core.hub, user_id, None)
            if user_id in self.queued or left is None:
                continue  # never while a tab is open
            if left < settings.email_delay_seconds and mode != "direct":
                continue
            try:
                self.queue.put_nowait(user_id)
            except asyncio.QueueFull:
                self.dropped += 1
                continue
            self.queued.add(user_id)

    async def work(self) -> None:
        while True:
            user_id = await self.queue.get()
            try:
                await self.tell(user_id)
            except Exception as exc:
                log_failure(log, f"email for user {user_id} failed", exc)
            finally:
                self.queued.discard(user_id)

    async def tell(self, user_id: int) -> None:
        claimed = await email.claim(self.core, user_id, self.owner, time.time())
        if claimed is None:
            return
        self.holding.add(user_id)
        try:
            await self.send(claimed)
        finally:
            if user_id in self.holding:  # not marked or released: let go
                self.holding.discard(user_id)
                await email.unclaim(self.core, user_id, self.owner)

    async def send(self, claimed) -> None:
        user_id = claimed["user_id"]
        digest = await email.digest(self.core, claimed)
        if digest is None:
            return
        sent_at = None
        if digest.items:
            message = compose(self.core.settings, self.core.secret, digest)
            try:
                await asyncio.wait_for(
                    mail.send(self.core.settings, message),
                    email.conversation_seconds(self.core.settings),
                )
            except (mail.SmtpError, OSError, TimeoutError) as exc:
                await self.failed_once(claimed, exc)
                return
            self.sent += 1
            sent_at = iso_utc()
        self.holding.discard(user_id)
        await email.mark_emailed(self.core, user_id, self.owner, digest.upto, sent_at)

    async def failed_once(self, claimed, exc: BaseException) -> None:
        self.failed += 1
        settings = self.core.settings
        backoff = min(settings.email_retry_seconds * 2 ** claimed["failures"], MAX_BACKOFF)
        if self.failures_logged.take() is not None:
            log.warning(
                "SMTP server %s:%s refused or unreachable (%s: %s); retrying in %g s",
                settings.smtp_host,
                settings.smtp_port,
                type(exc).__name__,
                exc,
                backoff,
            )
        user_id = claimed["user_id"]
        self.holding.discard(user_id)
        await email.release(self.core, user_id, self.owner, time.time() + backoff)

    def summarize(self, count: int) -> None:
        log.warning("%d more emails failed in the last %.0f s", count, FAILURE_LOG_INTERVAL)

    async def stop(self) -> None:
        """Shutdown never waits on an SMTP server: a claim left behind lapses."""
        for task in self.tasks:
            task.cancel()
        _, stuck = await asyncio.wait(self.tasks, timeout=STOP_SECONDS)
        if stuck:
            log.warning("%d email workers did not stop in %s s", len(stuck), STOP_SECONDS)


async def run_mailer(app: web.Application):
    """cleanup_ctx: email for what people missed, when CHAT_SMTP_HOST names a server."""
    core = app[core_key]
    if not core.settings.smtp_host:
        yield
        return
    mailer = app[mailer_key] = Mailer(core)
    yield
    await mailer.stop()
