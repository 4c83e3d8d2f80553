"""Web Push delivery, off the send path.

Only the process that committed a notification hears it (Core.listeners), so with
several processes each push is sent once. A notification for someone with no live
socket waits out the grace period (CHAT_PUSH_GRACE_SECONDS, counted from their last
socket's close), is checked again on current data (core/away.py), then goes on a
bounded queue (CHAT_PUSH_QUEUE; full means dropped and counted) emptied by a few
workers (CHAT_PUSH_CONCURRENCY). A 429/5xx or a network error is retried twice with
doubling backoff (CHAT_PUSH_RETRY_SECONDS; a Retry-After up to a minute is honoured);
404/410 deletes the subscription. Every endpoint goes through chat/outbound/.
"""

from __future__ import annotations

import asyncio
import logging

import aiohttp
from aiohttp import web

from chat.core import Core, log_failure
from chat.core.reach import away, push
from chat.events import Event, NotificationCreated
from chat.keys import core_key, pusher_key
from chat.models import Notification, PushSubscription
from chat.ops.datadir import PRIVATE_FILE
from chat.outbound import address
from chat.outbound.session import OutboundSession
from chat.push.encryption import encrypt
from chat.push.vapid import Vapid, load_vapid, unb64url

log = logging.getLogger(__name__)
PUSH_TTL = 24 * 3600  # a push not delivered within a day is stale
ATTEMPTS = 3
MAX_RETRY_AFTER = 60.0
DEFAULT_SUBJECT = "mailto:webpush@teahouse.invalid"


class Pusher:
    def __init__(self, core: Core, vapid: Vapid):
        self.core = core
        self.vapid = vapid
        settings = core.settings
        self.queue: asyncio.Queue[Notification] = asyncio.Queue(settings.push_queue_limit)
        self.waiting: dict[int, asyncio.TimerHandle] = {}  # notification id -> its grace
        self.outbound = OutboundSession(
            settings.push_timeout_seconds,
            settings.outbound_ca_file,
            limit=settings.push_concurrency * 2,
        )
        self.tasks = [
            asyncio.create_task(self.work(), name=f"push-{n}")
            for n in range(settings.push_concurrency)
        ]
        self.sent = self.failed = self.dropped = 0

    def listen(self, event: Event) -> None:
        if not isinstance(event, NotificationCreated):
            return
        notification = event.notification
        wait = away.wait_before_telling(
            self.core.hub, notification, self.core.settings.push_grace_seconds
        )
        if wait is None:
            return
        if len(self.waiting) >= self.core.settings.push_queue_limit:
            self.drop(notification, "too many pushes waiting out their grace period")
            return
        self.waiting[notification.id] = asyncio.get_running_loop().call_later(
            wait, self.due, notification
        )

    def due(self, notification: Notification) -> None:
        self.waiting.pop(notification.id, None)
        try:
            self.queue.put_nowait(notification)
        except asyncio.QueueFull:
            self.drop(notification, "push queue full")

    def drop(self, notification: Notification, why: str) -> None:
        self.dropped += 1
        log.warning("%s: no push for notification %s", why, notification.id)

    async def work(self) -> None:
        while True:
            notification = await self.queue.get()
            try:
                await self.tell(notification)
            except Exception as exc:
                log_failure(log, f"push for notification {notification.id} failed", exc)

    async def tell(self, notification: Notification) -> None:
        devices = await push.devices_of(self.core, notification.user_id)
        if not devices or not await away.still_away_and_wanted(self.core, notification):
            return
        body = push.payload(
            self.core, notification, await push.language_of(self.core, notification)
        )
        await asyncio.gather(*(self.deliver(device, body) for device in devices))

    async def deliver(self, device: PushSubscription, body: bytes) -> None:
        settings = self.core.settings
        backoff = settings.push_retry_seconds
        for attempt in range(1, ATTEMPTS + 1):
            try:
                target = await address.check(device.endpoint, address.push_policy(settings))
            except address.Refused as exc:
                self.failed += 1
                log.warning("push endpoint of device %s refused: %s", device.id, exc.reason)
                return
            status, retry_after = await self.post(target, device, body)
            if status is not None and 200 <= status < 300:
                self.sent += 1
                return
            if status in (404, 410):
                self.failed += 1
                await push.forget(self.core, device.endpoint)
                log.info("push service forgot device %s (%s): removed", device.id, status)
                return
            retryable = status is None or status == 429 or status >= 500
            if not retryable or attempt == ATTEMPTS:
                self.failed += 1
                log.warning("push to device %s failed: %s", device.id, status or "network error")
                return
            await asyncio.sleep(retry_after if retry_after is not None else backoff)
            backoff *= 2

    async def post(
        self, target: address.Target, device: PushSubscription, body: bytes
    ) -> tuple[int | None, float | None]:
        # An ephemeral ECDH key per push (about a millisecond of CPU): in a thread, so
        # an @all to a room of subscribed members does not hold up the loop that
        # answers senders.
        encrypted = await asyncio.to_thread(
            encrypt, body, unb64url(device.p256dh), unb64url(device.auth)
        )
        headers = {
            "TTL": str(PUSH_TTL),
            "Urgency": "high",
            "Content-Encoding": "aes128gcm",
            "Content-Type": "application/octet-stream",
            "Authorization": self.vapid.authorization(device.endpoint),
        }
        try:
            async with self.outbound.post(target, encrypted, headers) as resp:
                await resp.content.read(4096)
                return resp.status, retry_after(resp.headers.get("Retry-After"))
        except (TimeoutError, aiohttp.ClientError, OSError) as exc:
            log.info("push to device %s: %s", device.id, type(exc).__name__)
            return None, None

    async def stop(self) -> None:
        for handle in self.waiting.values():
            handle.cancel()
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        await self.outbound.close()


def retry_after(raw: str | None) -> float | None:
    try:
        return min(max(float(raw), 0.0), MAX_RETRY_AFTER) if raw else None
    except ValueError:  # an HTTP date: the doubling backoff will do
        return None


async def run_pusher(app: web.Application):
    """cleanup_ctx: the VAPID keys (created once), then push until shutdown."""
    core = app[core_key]
    settings = core.settings
    subject = settings.vapid_subject or (
        settings.public_url if settings.public_url.startswith("https://") else DEFAULT_SUBJECT
    )
    vapid = load_vapid(settings.vapid_private_key, settings.vapid_path, subject, PRIVATE_FILE)
    pusher = app[pusher_key] = Pusher(core, vapid)
    core.listeners.append(pusher.listen)
    yield
    core.listeners.remove(pusher.listen)
    await pusher.stop()
