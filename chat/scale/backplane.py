"""The backplane: several processes serve one Teahouse over Redis pub/sub.

Every committed event gets a per-stream sequence number in its writing transaction
(chat/db/event_log.py) and is published, with the process it came from, to the inbox
channel of each other process (several events to one message when they are sent
together; a process alone publishes nothing). Each process delivers the others'
events to its own sockets exactly as its own (every dialect, rendered once per
dialect here), in sequence order: a gap, a Redis reconnect or a silent stall (the
safety poll) is repaired from the event log before later events are delivered,
because Redis pub/sub drops what is sent while a subscriber is away. The database
stays the source of truth; the bus only makes it fast.

Presence and typing are not stored: typing crosses on the bus only; presence changes
cross on the bus, and which processes are alive and who is online in each is the
roster's (chat/scale/roster.py).
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import socket
import time
from collections.abc import Callable

import redis.asyncio as redis
from redis.exceptions import RedisError

from chat.core import log_failure
from chat.db import event_log
from chat.db.database import Database
from chat.events import Event, TypingChanged
from chat.hub import Hub
from chat.live.activity import Activity
from chat.live.client import CLOSE_SERVICE_RESTART
from chat.scale import codec
from chat.scale.roster import ProcessRoster
from chat.scale.sequencer import Sequencer
from chat.settings import Settings

log = logging.getLogger(__name__)
CHANNEL = "teahouse:events"  # everyone: hello and goodbye
INBOX = "teahouse:events:"  # + process: what the others tell it
OUTBOX_LIMIT = 10_000  # bus items waiting to be sent; beyond: dropped, repaired
BATCH_LIMIT = 512  # outbox entries sent in one write
LOG_KEEP_SECONDS = 600  # events a lagging process can still fetch from the log
ACTIVITY_RELAY_SECONDS = 10.0  # one activity sighting per user and process this often
RETRY_SECONDS = 1.0


def stream_of(event: Event) -> int:
    """Events of a room share its stream; events of no room share stream 0."""
    return event.room_id or 0


class Backplane(ProcessRoster):
    def __init__(
        self,
        settings: Settings,
        db: Database,
        hub: Hub,
        client: redis.Redis | None = None,
        deliver: Callable[[Event], None] | None = None,
    ):
        self.settings = settings
        self.db = db
        self.hub = hub
        self.origin = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"
        self.redis = client or redis.from_url(settings.redis_url)
        # Subscriptions wait for messages indefinitely: no read timeout on their
        # connection; the health check's PINGs notice a dead one.
        self.listener = redis.from_url(
            settings.redis_url, socket_connect_timeout=2, health_check_interval=15
        )
        # The outbox is sent on a connection of its own, each batch packed into one
        # write (a pipeline per message costs twice the CPU), with no replies.
        self.sender = redis.ConnectionPool.from_url(
            settings.redis_url, socket_timeout=5, socket_connect_timeout=2
        ).make_connection()
        # Every event in sequence order, this process's and the others': to the hub.
        self.sequencer = Sequencer(deliver or hub.publish, self._fetch, self._lost)
        self.outbox: asyncio.Queue = asyncio.Queue(OUTBOX_LIMIT)
        self.tasks: list[asyncio.Task] = []
        self.connected = asyncio.Event()
        self._activity_told: dict[int, float] = {}
        self._missing: set[str] = set()  # other processes absent at the last scan
        # The processes this one tells its news, each in its own inbox: nobody is woken
        # to read (and skip) what it published itself, and a lone process publishes
        # nothing. Learned from their hello and from the alive keys.
        self.peers: set[str] = set()
        self._complained = 0.0

    # -- lifecycle ---------------------------------------------------------------
    async def start(self) -> None:
        """Start from where each stream stands; whatever is committed between this
        read and the subscription is fetched from the log once subscribed."""
        for stream, head in (await event_log.heads(self.db.reader)).items():
            # max: an event committed (and delivered) here meanwhile is not delivered again
            self.sequencer.last[stream] = max(head, self.sequencer.last.get(stream, 0))
        self.hub.presence.relay = self._relay_presence
        self.hub.relay_typing = self._relay_typing
        self.hub.relay_activity = self._relay_activity
        spawn = asyncio.get_running_loop().create_task
        self.tasks = [
            spawn(self._listen(), name="backplane-listen"),
            spawn(self._send_loop(), name="backplane-send"),
            spawn(self._poll(), name="backplane-poll"),
            spawn(self._heartbeat(), name="backplane-heartbeat"),
        ]
        try:
            await asyncio.wait_for(self.connected.wait(), 5.0)
        except TimeoutError:
            log.warning(
                "Redis at %s does not answer yet: serving, and catching up from "
                "the database once it does",
                self.settings.redis_url,
            )

    async def stop(self) -> None:
        self.hub.presence.relay = None
        self.hub.relay_typing = self.hub.relay_activity = None
        try:  # others drop this process's users at once instead of after the TTL
            await asyncio.wait_for(self._say_goodbye(), 1.0)
        except (TimeoutError, RedisError, OSError):
            pass
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        await self.sequencer.close()
        await self.redis.aclose()
        await self.listener.aclose()
        await self.sender.disconnect()

    # -- committed events --------------------------------------------------------
    async def record(self, conn, events: list[Event]) -> list[tuple[int, int, Event, str]]:
        """Inside the writing transaction: number and log each event."""
        sequenced = []
        for event in events:
            payload = codec.encode(event)
            stream = stream_of(event)
            sequenced.append(
                (stream, await event_log.append(conn, stream, payload), event, payload)
            )
        return sequenced

    def committed(self, sequenced: list[tuple[int, int, Event, str]]) -> None:
        """After COMMIT: deliver here (in sequence order) and tell the other processes."""
        for stream, seq, event, payload in sequenced:
            self.sequencer.accept(stream, seq, event)
            self._post("event", stream, seq, payload)

    async def _fetch(self, stream: int, after: int, limit: int) -> list[tuple[int, Event]]:
        rows = await event_log.after(self.db.reader, stream, after, limit)
        return [(seq, codec.decode(payload)) for seq, payload in rows]

    def _lost(self, stream: int) -> None:
        """The log no longer holds events this process missed (it was cut off for longer
        than LOG_KEEP_SECONDS): its sockets of that room reconnect and resume from the
        database with ?since=, which loses nothing."""
        log.warning(
            "events of stream %s were pruned before this process saw them: "
            "its sockets there reconnect",
            stream,
        )
        if stream:
            conns = list(self.hub.rooms.get(stream, ()))
        else:  # events of no room go to users' sockets anywhere (even SocketsEnded)
            conns = [
                conn for user_conns in self.hub.user_connections.values() for conn in user_conns
            ]
        for conn in conns:
            conn.close(CLOSE_SERVICE_RESTART)

    # -- presence, typing, activity ---------------------------------------------
    def _relay_typing(self, event: Event) -> None:
        self._post("typing", 0, 0, codec.encode(event))

    def _relay_activity(self, entry: Activity) -> None:
        now = time.monotonic()
        if (
            now - self._activity_told.get(entry.user.id, -ACTIVITY_RELAY_SECONDS)
            < ACTIVITY_RELAY_SECONDS
        ):
            return
        self._activity_told[entry.user.id] = now
        if len(self._activity_told) > 10_000:
            self._activity_told = {
                uid: t for uid, t in self._activity_told.items() if now - t < ACTIVITY_RELAY_SECONDS
            }
        self._post("activity", 0, 0, codec.encode(entry))

    def _heard(self, origin: str, kind: bytes, a: int, b: int, payload: bytes) -> None:
        if kind == b"event":
            self.sequencer.accept(a, b, codec.decode(payload))
        elif kind == b"typing":
            event = codec.decode(payload)
            if isinstance(event, TypingChanged):
                self.hub.publish(event)
        elif kind == b"presence":
            self.hub.presence.remote(a, codec.decode(payload), origin, bool(b))
        elif kind == b"activity":
            entry = codec.decode(payload)
            if isinstance(entry, Activity):
                self.hub.heard_activity(entry)
        elif kind == b"bye":
            self.peers.discard(origin)
            self.hub.presence.replace_process(origin, [])

    # -- the bus -----------------------------------------------------------------
    def _post(self, kind: str, a: int = 0, b: int = 0, payload: str = "") -> None:
        """One item of the next bus message: "kind a b payload" (plain words before the
        JSON: a receiver reads the others' items without parsing anything twice)."""
        self._post_command(f"{kind} {a} {b} {payload}")

    def _shout(self, pipe, kind: str) -> None:
        """Add to pipe a message every process hears at once (hello, bye)."""
        pipe.publish(CHANNEL, self._framed(f"{kind} 0 0 "))

    def _framed(self, *items: str) -> str:
        """One bus message: this process's name, then one item a line (JSON never holds
        a raw newline). A process skips its own messages by their first line alone."""
        return "\n".join((self.origin, *items))

    def _post_command(self, command: tuple | str) -> None:
        """A Redis command, or (a str) an item of the next bus message."""
        try:
            self.outbox.put_nowait(command)
        except asyncio.QueueFull:  # Redis is away: the others repair from the database
            self._complain("the bus outbox is full; events are repaired from the database")

    async def _send_loop(self) -> None:
        """Whatever is waiting goes in one write: its commands, then one PUBLISH carrying
        all its bus items (a commit batch of 50 events is one message to read, not 50).
        Redis sends this connection no replies (CLIENT REPLY OFF): waiting for them would
        cost a wake-up and a parse per write, and a lost message is repaired anyway; a
        broken connection still shows, as a failed write."""
        while True:
            batch = [await self.outbox.get()]
            while not self.outbox.empty() and len(batch) < BATCH_LIMIT:
                batch.append(self.outbox.get_nowait())
            commands = [item for item in batch if item.__class__ is tuple]
            if self.peers and (items := [item for item in batch if item.__class__ is str]):
                message = self._framed(*items)
                commands += [("publish", INBOX + peer, message) for peer in self.peers]
            if not commands:
                continue
            try:
                if not self.sender.is_connected:
                    await self.sender.connect()
                    await self.sender.send_command("CLIENT", "REPLY", "OFF", check_health=False)
                await self.sender.send_packed_command(
                    self.sender.pack_commands(commands), check_health=False
                )
            except (RedisError, OSError) as exc:
                await self.sender.disconnect()
                # Dropped: other processes fetch those events from the event log.
                self._complain(f"publishing to Redis failed: {exc}")
                await asyncio.sleep(RETRY_SECONDS)

    async def _listen(self) -> None:
        mine = self.origin.encode() + b"\n"
        while True:
            pubsub = self.listener.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.subscribe(CHANNEL, INBOX + self.origin)
                await self._caught_up()
                async for message in pubsub.listen():
                    data = message.get("data")
                    if message.get("type") == "message" and not data.startswith(mine):
                        await self._read(data)
            except Exception as exc:  # Redis, or the database while catching up: again
                self.connected.clear()
                self._complain(f"lost Redis ({exc!r}); catching up from the database meanwhile")
                await asyncio.sleep(RETRY_SECONDS)
            finally:
                try:
                    await pubsub.aclose()
                except (RedisError, OSError):
                    pass

    async def _read(self, data: bytes) -> None:
        """Another process's bus message, item by item: an unreadable item is skipped
        (an event skipped is a gap, repaired from the log), the others still count."""
        origin, *items = data.split(b"\n")
        sender = origin.decode()
        for item in items:
            try:
                kind, a, b, payload = item.split(b" ", 3)
                if kind == b"hello":  # awaited: its later news comes after
                    await self._welcome(sender)
                elif kind == b"welcome":
                    await self._welcomed(sender)
                else:
                    self._heard(sender, kind, int(a), int(b), payload)
            except Exception:
                log.warning("ignored a bus message that could not be read", exc_info=True)

    async def _welcome(self, process: str) -> None:
        """A process (re)started or reconnected: tell it the news from now on, and say
        so once this process's own hash is there to be read (Redis may have lost it
        without this process noticing yet). Whatever this process published before is
        in the log by then."""
        self.peers.add(process)
        await self._learn(process)
        await self._keep_alive(announce=False)
        self._post("welcome")

    async def _welcomed(self, process: str) -> None:
        """A process sends here from now on; what it sent before it knew of this one
        (after this one's catching up) is fetched from the log, its users read again."""
        self.peers.add(process)
        await self._learn(process)
        await self._repair_all()

    async def _caught_up(self) -> None:
        """Subscribed (again): fetch whatever was published while away, and learn who is
        online in the other processes (before start() returns: a process serves knowing
        who is online)."""
        await self._repair_all()
        await self._refresh_presence(announce=True)
        self.connected.set()

    async def _poll(self) -> None:
        """The safety net for a bus that drops or stalls silently."""
        pruned = time.monotonic()
        while True:
            await asyncio.sleep(self.settings.backplane_poll_seconds)
            try:
                await self._repair_all()
                if time.monotonic() - pruned > 60:
                    pruned = time.monotonic()
                    await self.db.write(
                        lambda conn: event_log.prune(conn, time.time() - LOG_KEEP_SECONDS)
                    )
            except Exception as exc:
                log_failure(log, "backplane safety poll failed", exc)

    async def _repair_all(self) -> None:
        for stream, head in (await event_log.heads(self.db.reader)).items():
            self.sequencer.behind(stream, head)

    def _complain(self, text: str) -> None:
        """Logged at most once per 10 s: an outage must not flood the log."""
        now = time.monotonic()
        if now - self._complained >= 10:
            self._complained = now
            log.warning("backplane: %s", text)
