"""The backplane: several processes serve one Teahouse over Redis pub/sub.

Every committed event gets a per-stream sequence number in its writing transaction
(chat/db/event_log.py) and is published once on the bus with the process it came
from. Each process delivers the others' events to its own sockets exactly as its own
(every dialect, rendered once per dialect here), in sequence order: a gap, a Redis
reconnect or a silent stall (the safety poll) is repaired from the event log before
later events are delivered, because Redis pub/sub drops what is sent while a
subscriber is away. The database stays the source of truth; the bus only makes it
fast.

Presence and typing are not stored: typing crosses on the bus only; presence changes
cross on the bus and each process also keeps its users in a Redis hash that expires
unless the process refreshes it, so a crashed process's users go offline by themselves
within `presence_ttl` seconds, and a process that starts learns who is already online.
"""
from __future__ import annotations

import asyncio
import json
import logging
import os
import secrets
import socket
import time

import redis.asyncio as redis
from redis.exceptions import RedisError

from ..db import event_log
from ..db.database import Database
from ..events import Event, TypingChanged
from ..hub import Hub
from ..live.activity import Activity
from ..live.connection import CLOSE_SERVICE_RESTART
from ..models import User
from ..settings import Settings
from . import codec
from .sequencer import Sequencer

log = logging.getLogger(__name__)
CHANNEL = "teahouse:events"
ALIVE = "teahouse:alive:"          # + process: refreshed while the process runs
PRESENCE = "teahouse:presence:"    # + process: hash "room:user" -> user
OUTBOX_LIMIT = 10_000              # bus messages waiting to be sent; beyond: dropped, repaired
LOG_KEEP_SECONDS = 600             # events a lagging process can still fetch from the log
ACTIVITY_RELAY_SECONDS = 10.0      # one activity sighting per user and process this often
RETRY_SECONDS = 1.0


def stream_of(event: Event) -> int:
    """Events of a room share its stream; events of no room share stream 0."""
    return event.room_id or 0


class Backplane:
    def __init__(self, settings: Settings, db: Database, hub: Hub,
                 client: redis.Redis | None = None):
        self.settings = settings
        self.db = db
        self.hub = hub
        self.origin = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"
        self.redis = client or redis.from_url(settings.redis_url)
        # Subscriptions wait for messages indefinitely: no read timeout on their
        # connection; the health check's PINGs notice a dead one.
        self.listener = redis.from_url(settings.redis_url, socket_connect_timeout=2,
                                       health_check_interval=15)
        self.sequencer = Sequencer(hub.publish, self._fetch, self._lost)
        self.outbox: asyncio.Queue = asyncio.Queue(OUTBOX_LIMIT)
        self.tasks: list[asyncio.Task] = []
        self.connected = asyncio.Event()
        self._activity_told: dict[int, float] = {}
        self._complained = 0.0

    # -- lifecycle ---------------------------------------------------------------
    async def start(self) -> None:
        """Subscribe before reading where each stream stands, so nothing published in
        between is missed (register, then fetch)."""
        self.sequencer.last = await event_log.heads(self.db.reader)
        self.hub.presence.relay = self._relay_presence
        self.hub.relay_typing = self._relay_typing
        self.hub.relay_activity = self._relay_activity
        spawn = asyncio.get_running_loop().create_task
        self.tasks = [spawn(self._listen(), name="backplane-listen"),
                      spawn(self._send_loop(), name="backplane-send"),
                      spawn(self._poll(), name="backplane-poll"),
                      spawn(self._heartbeat(), name="backplane-heartbeat")]
        try:
            await asyncio.wait_for(self.connected.wait(), 5.0)
        except asyncio.TimeoutError:
            log.warning("Redis at %s does not answer yet: serving, and catching up from "
                        "the database once it does", self.settings.redis_url)

    async def stop(self) -> None:
        self.hub.presence.relay = None
        self.hub.relay_typing = self.hub.relay_activity = None
        try:  # others drop this process's users at once instead of after the TTL
            await asyncio.wait_for(self._say_goodbye(), 1.0)
        except (asyncio.TimeoutError, RedisError, OSError):
            pass
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        await self.sequencer.close()
        await self.redis.aclose()
        await self.listener.aclose()

    # -- committed events --------------------------------------------------------
    async def record(self, conn, events: list[Event]) -> list[tuple[int, int, Event, str]]:
        """Inside the writing transaction: number and log each event."""
        sequenced = []
        for event in events:
            payload = codec.encode(event)
            stream = stream_of(event)
            sequenced.append((stream, await event_log.append(conn, stream, payload),
                              event, payload))
        return sequenced

    def committed(self, sequenced: list[tuple[int, int, Event, str]]) -> None:
        """After COMMIT: deliver here (in sequence order) and tell the other processes."""
        for stream, seq, event, payload in sequenced:
            self.sequencer.accept(stream, seq, event)
            self._post({"o": self.origin, "k": "event", "s": stream, "q": seq, "e": payload})

    async def _fetch(self, stream: int, after: int, limit: int) -> list[tuple[int, Event]]:
        rows = await event_log.after(self.db.reader, stream, after, limit)
        return [(seq, codec.decode(payload)) for seq, payload in rows]

    def _lost(self, stream: int) -> None:
        """The log no longer holds events this process missed (it was cut off for longer
        than LOG_KEEP_SECONDS): its sockets of that room reconnect and resume from the
        database with ?since=, which loses nothing."""
        log.warning("events of stream %s were pruned before this process saw them: "
                    "its sockets there reconnect", stream)
        for conn in list(self.hub.rooms.get(stream, ())):
            conn.close(CLOSE_SERVICE_RESTART)

    # -- presence, typing, activity ---------------------------------------------
    def _relay_presence(self, room_id: int, user: User, online: bool) -> None:
        key, field = PRESENCE + self.origin, f"{room_id}:{user.id}"
        if online:
            self._post_command(("hset", key, field, codec.encode(user)))
        else:
            self._post_command(("hdel", key, field))
        self._post({"o": self.origin, "k": "presence", "r": room_id,
                    "u": codec.encode(user), "on": online})

    def _relay_typing(self, event: Event) -> None:
        self._post({"o": self.origin, "k": "typing", "e": codec.encode(event)})

    def _relay_activity(self, entry: Activity) -> None:
        now = time.monotonic()
        if now - self._activity_told.get(entry.user.id, -ACTIVITY_RELAY_SECONDS) < ACTIVITY_RELAY_SECONDS:
            return
        self._activity_told[entry.user.id] = now
        if len(self._activity_told) > 10_000:
            self._activity_told = {uid: t for uid, t in self._activity_told.items()
                                   if now - t < ACTIVITY_RELAY_SECONDS}
        self._post({"o": self.origin, "k": "activity", "e": codec.encode(entry)})

    def _heard(self, data: dict) -> None:
        kind = data.get("k")
        if kind == "event":
            self.sequencer.accept(int(data["s"]), int(data["q"]), codec.decode(data["e"]))
        elif kind == "typing":
            event = codec.decode(data["e"])
            if isinstance(event, TypingChanged):
                self.hub.publish(event)
        elif kind == "presence":
            self.hub.presence.remote(int(data["r"]), codec.decode(data["u"]), data["o"],
                                     bool(data["on"]))
        elif kind == "activity":
            entry = codec.decode(data["e"])
            if isinstance(entry, Activity):
                self.hub.heard_activity(entry)
        elif kind == "bye":
            self.hub.presence.forget_process(data["o"])

    # -- the bus -----------------------------------------------------------------
    def _post(self, message: dict) -> None:
        self._post_command(("publish", CHANNEL, json.dumps(message, ensure_ascii=False)))

    def _post_command(self, command: tuple) -> None:
        try:
            self.outbox.put_nowait(command)
        except asyncio.QueueFull:  # Redis is away: the others repair from the database
            self._complain("the bus outbox is full; events are repaired from the database")

    async def _send_loop(self) -> None:
        while True:
            batch = [await self.outbox.get()]
            while not self.outbox.empty() and len(batch) < 512:
                batch.append(self.outbox.get_nowait())
            try:
                pipe = self.redis.pipeline(transaction=False)
                for name, *args in batch:
                    getattr(pipe, name)(*args)
                await pipe.execute()
            except (RedisError, OSError) as exc:
                # Dropped: other processes fetch those events from the event log.
                self._complain(f"publishing to Redis failed: {exc}")
                await asyncio.sleep(RETRY_SECONDS)

    async def _listen(self) -> None:
        while True:
            pubsub = self.listener.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.subscribe(CHANNEL)
                await self._caught_up()
                async for message in pubsub.listen():
                    if message.get("type") != "message":
                        continue
                    try:
                        data = json.loads(message["data"])
                        if data.get("o") != self.origin:
                            self._heard(data)
                    except Exception:
                        log.warning("ignored a bus message that could not be read", exc_info=True)
            except (RedisError, OSError) as exc:
                self.connected.clear()
                self._complain(f"lost Redis ({exc}); catching up from the database meanwhile")
                await asyncio.sleep(RETRY_SECONDS)
            finally:
                try:
                    await pubsub.aclose()
                except (RedisError, OSError):
                    pass

    async def _caught_up(self) -> None:
        """Subscribed (again): fetch whatever was published while away, and learn who is
        online in the other processes."""
        self.connected.set()
        await self._repair_all()
        await self._refresh_presence(announce=True)

    async def _poll(self) -> None:
        """The safety net for a bus that drops or stalls silently."""
        pruned = time.monotonic()
        while True:
            await asyncio.sleep(self.settings.backplane_poll_seconds)
            try:
                await self._repair_all()
                if time.monotonic() - pruned > 60:
                    pruned = time.monotonic()
                    await self.db.write(lambda conn: event_log.prune(
                        conn, time.time() - LOG_KEEP_SECONDS))
            except Exception:
                log.exception("backplane safety poll failed")

    async def _repair_all(self) -> None:
        for stream, head in (await event_log.heads(self.db.reader)).items():
            self.sequencer.behind(stream, head)

    async def _heartbeat(self) -> None:
        while True:
            await asyncio.sleep(self.settings.presence_ttl / 3)
            try:
                await self._refresh_presence(announce=False)
            except (RedisError, OSError) as exc:
                self._complain(f"presence refresh failed: {exc}")

    async def _refresh_presence(self, announce: bool) -> None:
        """Keep this process alive in Redis; forget processes that are not; when
        (re)connected, rewrite this process's users and read everyone else's."""
        ttl = max(1, int(self.settings.presence_ttl))
        mine = PRESENCE + self.origin
        pipe = self.redis.pipeline(transaction=True)
        pipe.set(ALIVE + self.origin, "1", ex=ttl)
        if announce:
            pipe.delete(mine)
            for room_id, user in self.hub.presence.local():
                pipe.hset(mine, f"{room_id}:{user.id}", codec.encode(user))
        pipe.expire(mine, ttl)
        await pipe.execute()
        alive = {key.decode()[len(ALIVE):] async for key in self.redis.scan_iter(ALIVE + "*")}
        for process in self.hub.presence.processes() - alive:
            self.hub.presence.forget_process(process)
        if announce:
            for process in alive - {self.origin}:
                for field, user in (await self.redis.hgetall(PRESENCE + process)).items():
                    room_id = int(field.decode().partition(":")[0])
                    self.hub.presence.remote(room_id, codec.decode(user), process, True)

    async def _say_goodbye(self) -> None:
        pipe = self.redis.pipeline(transaction=False)
        pipe.delete(ALIVE + self.origin, PRESENCE + self.origin)
        pipe.publish(CHANNEL, json.dumps({"o": self.origin, "k": "bye"}))
        await pipe.execute()

    def _complain(self, text: str) -> None:
        """Logged at most once per 10 s: an outage must not flood the log."""
        now = time.monotonic()
        if now - self._complained >= 10:
            self._complained = now
            log.warning("backplane: %s", text)
