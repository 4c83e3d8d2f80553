"""Link previews, fetched after commit: a message with links is queued (bounded: a full
queue skips it, counted), a few workers fetch each link's page through the outbound door
(http/https, public addresses only unless allowed, redirects re-checked, one deadline,
at most CHAT_PREVIEW_MAX_BYTES read, only text/html parsed) and its image the same way,
and the cards are stored on the message, which its room hears as an update.

A link already fetched within the cache time is not fetched again; a fetch that is not
in the cache counts against its sender's budget and the site's (CHAT_RATE_PREVIEWS,
CHAT_RATE_PREVIEWS_SITE): over either, the link gets no card. Only the committing
process hears MessagePosted, so with several processes each link is fetched once.
"""

from __future__ import annotations

import asyncio
import logging

from aiohttp import web

from chat.core import Core, log_failure
from chat.core.conversation import previews
from chat.core.ratelimit import MemoryBuckets, Rate
from chat.events import Event, MessagePosted, MessageUpdated
from chat.keys import core_key, outbound_counts_key, previewer_key
from chat.models import LinkPreview, Message
from chat.outbound.address import Refused, web_policy
from chat.outbound.door import Door, Reply, Unreachable
from chat.web import preview_images
from chat.web.page_card import read_card

log = logging.getLogger(__name__)
IMAGE_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp")
HEADERS = {
    "User-Agent": "TeahouseLinkPreview/1.0",
    "Accept": "text/html",
    "Accept-Language": "en, zh;q=0.8",
}
REDIRECTS = 3


def page_text(reply: Reply) -> str:
    try:
        return reply.body.decode(reply.charset or "utf-8", "replace")
    except LookupError:  # a charset Python does not know
        return reply.body.decode("utf-8", "replace")


class Previewer:
    def __init__(self, core: Core, counts):
        settings = core.settings
        self.core = core
        self.queue: asyncio.Queue[tuple[Message, list[str]]] = asyncio.Queue(
            settings.preview_queue_limit
        )
        self.door = Door(
            "previews",
            web_policy(settings),
            settings.preview_timeout_seconds,
            counts,
            settings.outbound_ca_file,
            limit=settings.preview_concurrency * 2,
        )
        self.budget = MemoryBuckets()
        self.per_user = Rate(*settings.rate_previews)
        self.site = Rate(*settings.rate_previews_site)
        self.skipped = 0  # messages a full queue skipped, links over a budget
        # A link pasted in two messages at once is fetched once: the second waits.
        self.in_flight: dict[str, asyncio.Future] = {}
        self.tasks = [
            asyncio.create_task(self.work(), name=f"previews-{n}")
            for n in range(settings.preview_concurrency)
        ]

    def listen(self, event: Event) -> None:
        if isinstance(event, MessagePosted):
            links = previews.wants_previews(self.core, event.message)
        elif isinstance(event, MessageUpdated):
            links = list(event.links_added)
        else:
            return
        if not links:
            return
        try:
            self.queue.put_nowait((event.message, links))
        except asyncio.QueueFull:
            self.skipped += 1
            log.warning("preview queue full: message %s gets no previews", event.message.id)

    async def work(self) -> None:
        while True:
            message, links = await self.queue.get()
            try:
                await self.preview(message, links)
            except Exception as exc:
                log_failure(log, f"previews for message {message.id} failed", exc)

    async def preview(self, message: Message, links: list[str]) -> None:
        if not await previews.room_allows(self.core, message.room_id):
            return
        cards = [card for url in links if (card := await self.card_for(url, message))]
        if cards:
            await previews.attach(self.core, message.id, cards)

    def over_budget(self, message: Message) -> bool:
        sender = f"user:{message.sender.id}" if message.sender else f"room:{message.room_id}"
        return any(
            not rate.off and self.budget.take_now(key, rate) > 0
            for key, rate in ((sender, self.per_user), ("site", self.site))
        )

    async def card_for(self, url: str, message: Message) -> LinkPreview | None:
        if url in self.in_flight:
            return await asyncio.shield(self.in_flight[url])
        known, card = await previews.cached(self.core, url)
        if known:
            return card
        if url in self.in_flight:  # began while the cache was read
            return await asyncio.shield(self.in_flight[url])
        task = self.in_flight[url] = asyncio.ensure_future(self.fetch_and_remember(url, message))
        task.add_done_callback(lambda _: self.in_flight.pop(url, None))
        return await asyncio.shield(task)

    async def fetch_and_remember(self, url: str, message: Message) -> LinkPreview | None:
        if self.over_budget(message):
            self.skipped += 1
            log.info("preview budget spent: %s of message %s not fetched", url, message.id)
            return None
        try:
            card = await self.fetch_card(url)
        except Unreachable as exc:  # not remembered: the next message may have more luck
            log.info("preview of %s failed: %s", url, exc)
            return None
        await previews.remember(self.core, url, card)
        return card

    async def fetch_card(self, url: str) -> LinkPreview | None:
        settings = self.core.settings
        try:
            reply = await self.door.fetch(
                "GET",
                url,
                max_bytes=settings.preview_max_bytes,
                redirects=REDIRECTS,
                content_types=("text/html",),
                cut=True,  # the head is at the top: a long page is read only so far
                headers=HEADERS,
            )
        except Refused as exc:
            log.info("preview of %s refused: %s", url, exc.reason)
            return None
        page = read_card(page_text(reply), reply.url) if reply.status == 200 else None
        if page is None:
            return None
        image = await self.fetch_image(page.image_url) if page.image_url else None
        return LinkPreview(url, page.title, page.description, page.site_name, image)

    async def fetch_image(self, url: str) -> str | None:
        try:
            reply = await self.door.fetch(
                "GET",
                url,
                max_bytes=self.core.settings.preview_image_max_bytes,
                redirects=REDIRECTS,
                content_types=IMAGE_TYPES,
                headers={**HEADERS, "Accept": ", ".join(IMAGE_TYPES)},
            )
        except (Refused, Unreachable) as exc:
            log.info("preview image %s not kept: %s", url, exc)
            return None
        if reply.status != 200:
            return None
        return await preview_images.keep(self.core.settings, reply.body)

    async def stop(self) -> None:
        tasks = [*self.tasks, *self.in_flight.values()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await self.door.close()


async def run_previewer(app: web.Application):
    """cleanup_ctx, after open_core: fetch previews of committed messages until shutdown."""
    core = app[core_key]
    previewer = Previewer(core, app[outbound_counts_key])
    core.listeners.append(previewer.listen)
    app[previewer_key] = previewer
    yield
    core.listeners.remove(previewer.listen)
    await previewer.stop()
