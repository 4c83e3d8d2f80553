"""Outgoing bot calls: a message that addresses a bot with an outgoing URL is POSTed
there in the background, and a 200 answer is posted back as the bot's reply.

The sender never waits: core hands BotAddressed events over after commit, and each
bot has its own bounded queue and its own few workers (CHAT_BOT_QUEUE,
CHAT_BOT_CONCURRENCY), so a slow endpoint delays only its own calls. A full queue
drops the call (logged); so does a sender over her budget of mentions that call bots
(CHAT_RATE_BOT_CALLS, counted in this process: only the committing process calls). A
timeout, an error status or an unreachable URL posts nothing and is logged. Calls go
through the outbound door (chat/outbound/): a URL resolving to a private, loopback or
link-local address is refused unless CHAT_OUTBOUND_ALLOW / _ALLOW_HOSTS names it, so a
bot URL cannot be aimed at the server's own network.

The payload is Campfire's {user, room, message{id, body{plain, html}, path}} plus
Mattermost's outgoing-webhook fields (text, user_name, channel_name, ...), so bots
written for either work. The answer may be plain text, {"text": ...} or {"content": ...}.
"""

from __future__ import annotations

import asyncio
import html
import json
import logging

from aiohttp import web

from chat.core import Core, log_failure
from chat.core.conversation import messages
from chat.core.integrations import bots
from chat.core.ratelimit import MemoryBuckets, Rate
from chat.errors import ChatError
from chat.events import Event
from chat.keys import bot_caller_key, core_key, outbound_counts_key
from chat.outbound.address import Refused, web_policy
from chat.outbound.door import Door, Unreachable

log = logging.getLogger(__name__)
MAX_ANSWER = 64 * 1024


def call_payload(event: bots.BotAddressed) -> dict:
    message, room, sender = event.message, event.room, event.message.sender
    return {
        "user": {"id": sender.id, "name": sender.name, "username": sender.username},
        "room": {
            "id": room.id,
            "name": room.name,
            "slug": room.slug,
            "path": f"/api/chat/rooms/{room.id}/messages/",
        },
        "message": {
            "id": message.id,
            "created_at": message.created_at,
            "body": {
                "plain": message.content,
                "html": html.escape(message.content).replace("\n", "<br>"),
            },
            "path": f"/api/chat/messages/{message.id}/",
            "thread_id": message.thread_id,
        },
        # Mattermost outgoing-webhook fields
        "text": message.content,
        "user_id": str(sender.id),
        "user_name": sender.username,
        "channel_id": str(room.id),
        "channel_name": room.slug,
        "post_id": str(message.id),
        "timestamp": message.created_at,
    }


def answer_text(body: bytes, content_type: str) -> str:
    """Plain text, or the "text"/"content" of a JSON object."""
    text = body.decode("utf-8", "replace")
    if content_type == "application/json" or text.lstrip().startswith("{"):
        try:
            value = json.loads(text)
        except ValueError:
            return text.strip()
        if isinstance(value, dict):
            found = value.get("text") or value.get("content")
            return found.strip() if isinstance(found, str) else ""
    return text.strip()


class BotLane:
    """One bot's calls: its queue and the workers that empty it."""

    def __init__(self, caller: BotCaller, bot_id: int):
        settings = caller.core.settings
        self.queue: asyncio.Queue[bots.BotAddressed] = asyncio.Queue(settings.bot_queue_limit)
        self.tasks = [
            asyncio.create_task(caller.work(self.queue), name=f"bot-{bot_id}-{n}")
            for n in range(settings.bot_concurrency)
        ]


class BotCaller:
    def __init__(self, core: Core, counts):
        self.core = core
        self.lanes: dict[int, BotLane] = {}
        self.budget = MemoryBuckets()
        self.budget_rate = Rate(*core.settings.rate_bot_calls)
        # No pool-wide cap (limit 0): each bot's workers are its limit (a cap would let
        # one bot's stalled calls hold the others' sockets).
        self.door = Door(
            "bots",
            web_policy(core.settings),
            core.settings.bot_timeout_seconds,
            counts,
            core.settings.outbound_ca_file,
            limit=0,
        )
        self.dropped = 0

    def listen(self, event: Event) -> None:
        if not isinstance(event, bots.BotAddressed):
            return
        if self.over_budget(event.message.sender.id):
            self.dropped += 1
            log.info(
                "user %s is over the bot-call budget: message %s not sent to bot %s",
                event.message.sender.id,
                event.message.id,
                event.bot_id,
            )
            return
        if event.bot_id not in self.lanes:
            self.lanes[event.bot_id] = BotLane(self, event.bot_id)
        try:
            self.lanes[event.bot_id].queue.put_nowait(event)
        except asyncio.QueueFull:
            self.dropped += 1
            log.warning(
                "bot call queue full: message %s not sent to bot %s", event.message.id, event.bot_id
            )

    def over_budget(self, sender_id: int) -> bool:
        return (
            not self.budget_rate.off
            and self.budget.take_now(f"bot_calls:{sender_id}", self.budget_rate) > 0
        )

    async def stop(self) -> None:
        tasks = [task for lane in self.lanes.values() for task in lane.tasks]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await self.door.close()

    async def work(self, queue: asyncio.Queue) -> None:
        while True:
            event = await queue.get()
            try:
                await self.call(event)
            except Exception as exc:
                log_failure(log, f"bot call for message {event.message.id} failed", exc)

    async def call(self, event: bots.BotAddressed) -> None:
        try:
            bot = await bots.find_bot(self.core.db.reader, event.bot_id)
        except ChatError:  # deleted since the message was sent
            return
        if not bot.outgoing_url:
            return
        try:
            # No redirects: the admin-set URL is the only place a message is sent to.
            reply = await self.door.fetch(
                "POST", bot.outgoing_url, json=call_payload(event), max_bytes=MAX_ANSWER, cut=True
            )
        except (Refused, Unreachable) as exc:
            log.warning("bot %s call failed (%s): nothing posted", bot.user.username, exc)
            return
        if reply.status != 200:
            log.warning("bot %s answered %s: nothing posted", bot.user.username, reply.status)
            return
        text = answer_text(reply.body, reply.content_type)
        if text:
            try:
                # addressed in a thread, the bot answers there
                message = event.message
                await messages.send(
                    self.core,
                    bot.user,
                    event.room.id,
                    text[:5000],
                    reply_to=message.id if message.thread_id else None,
                    thread_only=message.thread_only,
                )
            except ChatError as exc:
                log.warning("bot %s reply refused: %s", bot.user.username, exc.key)


async def run_bot_caller(app: web.Application):
    """cleanup_ctx: load which bots have outgoing URLs, then call them until shutdown."""
    core = app[core_key]
    caller = BotCaller(core, app[outbound_counts_key])
    await bots.load_outgoing(core)
    core.listeners.append(caller.listen)
    app[bot_caller_key] = caller
    yield
    core.listeners.remove(caller.listen)
    await caller.stop()
