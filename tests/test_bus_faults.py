"""The Redis bus failing while people send (issue 32), on SQLite and on PostgreSQL: two
processes (A and B) on one database and a real redis-server, steady senders on both,
a socket on each. Redis restarted, or B cut off from it by a relay the test owns:
every socket ends with every acknowledged message exactly once (what the bus dropped
is repaired from the event log), and B serves its sockets from the database while it
is cut off (docs/scale-out.md, "What fails over how")."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections import Counter

import pytest

from chat.app import create_app
from chat.keys import core_key
from tests.helpers import connect, next_frame
from tests.pgcluster import both_engines
from tests.tcprelay import TcpRelay
from tests.test_backplane import alice_and_bob_in_a_room, redis_server, shared_settings

__all__ = ["redis_server"]  # a fixture
pytestmark = [both_engines, pytest.mark.slow]
DELIVERY_LIMIT = 10.0  # seconds for every socket to have everything, after the load


async def send_steadily(client, person, room, tag: str, stop: asyncio.Event, load: Load):
    """Message after message on REST; each must be acknowledged (the bus is not needed
    for that) into load.acked (client_id -> message id), each answer's wait into
    load.waits."""
    url = f"/api/chat/rooms/{room['id']}/messages/"
    for n in itertools.count():
        if stop.is_set():
            return
        client_id = f"{tag}-{n}"
        start = time.monotonic()
        resp = await client.post(
            url, json={"content": client_id, "client_id": client_id}, headers=person.headers
        )
        assert resp.status == 201, await resp.text()
        load.acked[client_id] = (await resp.json())["id"]
        load.waits.append((tag, start, time.monotonic() - start))
        await asyncio.sleep(0.02)


async def listen(ws, heard: list[tuple[int, float]]) -> None:
    """(id, when) of every message people wrote that this socket hears, until cancelled."""
    while True:
        frame = await next_frame(ws, "chat_message", timeout=60)
        if frame["message"]["message_type"] != "system":
            heard.append((frame["message"]["id"], time.monotonic()))


class Load:
    """alice sends on A and bob on B; alice's socket is on A, bob's on B."""

    def __init__(self, a, b, alice, bob, room):
        self.stop = asyncio.Event()
        self.acked: dict[str, int] = {}
        self.waits: list[tuple[str, float, float]] = []  # (tag, sent at, seconds)
        self.sockets: dict[str, list] = {"A": [], "B": []}
        self.a, self.b, self.alice, self.bob, self.room = a, b, alice, bob, room

    async def open(self) -> Load:
        self.ws = [
            await connect(self.a, self.alice, self.room),
            await connect(self.b, self.bob, self.room),
        ]
        self.listeners = [
            asyncio.create_task(listen(ws, self.sockets[name]))
            for ws, name in zip(self.ws, ("A", "B"), strict=True)
        ]
        # Sending starts once both sockets are in: a message committed before a socket
        # opened is not its to hear (that is what ?since= is for).
        self.tasks = [
            asyncio.create_task(send_steadily(self.a, self.alice, self.room, "a", self.stop, self)),
            asyncio.create_task(send_steadily(self.b, self.bob, self.room, "b", self.stop, self)),
        ]
        return self

    async def finish(self) -> None:
        """Stop sending; every socket must end with every acknowledged message once."""
        self.stop.set()
        await asyncio.gather(*self.tasks)
        wanted = sorted(self.acked.values())
        deadline = time.monotonic() + DELIVERY_LIMIT
        while any(sorted({i for i, _ in s}) != wanted for s in self.sockets.values()):
            if time.monotonic() > deadline:
                missing = {
                    name: sorted(set(wanted) - {i for i, _ in heard})
                    for name, heard in self.sockets.items()
                }
                by_id = {i: cid for cid, i in self.acked.items()}
                named = {name: [by_id[i] for i in ids] for name, ids in missing.items()}
                raise AssertionError(f"sockets missing acknowledged messages: {named}")
            await asyncio.sleep(0.1)
        await asyncio.sleep(0.5)  # a duplicate would arrive by now
        for task in self.listeners:
            task.cancel()
        for name, heard in self.sockets.items():
            twice = [i for i, n in Counter(i for i, _ in heard).items() if n > 1]
            assert not twice, f"socket on {name} heard {twice} twice"
            assert sorted(i for i, _ in heard) == wanted
        for ws in self.ws:
            await ws.close()


async def two_processes(
    aiohttp_client, tmp_path, redis_server, database_url, b_redis=None, **extra
):
    settings = shared_settings(tmp_path, redis_server, database_url=database_url, **extra)
    a = await aiohttp_client(create_app(settings))
    b_settings = shared_settings(
        tmp_path,
        redis_server,
        database_url=database_url,
        redis_url=b_redis or redis_server.url,
        **extra,
    )
    b = await aiohttp_client(create_app(b_settings))
    return a, b


async def until(check, limit: float, what: str) -> float:
    """Seconds until check() is true (fails past limit)."""
    start = time.monotonic()
    while not check():
        assert time.monotonic() - start < limit, what
        await asyncio.sleep(0.02)
    return time.monotonic() - start


async def test_every_socket_gets_every_message_once_while_redis_restarts_under_load(
    database_url, aiohttp_client, tmp_path, redis_server, caplog
):
    a, b = await two_processes(aiohttp_client, tmp_path, redis_server, database_url)
    alice, bob, room = await alice_and_bob_in_a_room(a)
    load = await Load(a, b, alice, bob, room).open()
    await asyncio.sleep(0.5)
    redis_server.stop()
    await asyncio.sleep(1.5)  # acknowledged without Redis; sockets fed from the log
    redis_server.start()
    cores = [client.server.app[core_key] for client in (a, b)]
    took = await until(
        lambda: all(c.backplane.connected.is_set() for c in cores), 10, "bus not back"
    )
    print(f"\nRedis restarted: both processes back on the bus {took:.2f} s after it answered")
    await asyncio.sleep(1.0)
    await load.finish()
    assert not [r.getMessage() for r in caplog.records if r.exc_info]


async def test_a_process_cut_off_from_redis_serves_from_the_database_and_heals(
    database_url, aiohttp_client, tmp_path, redis_server, caplog
):
    relay = await TcpRelay(redis_server.port).heal()
    a, b = await two_processes(aiohttp_client, tmp_path, redis_server, database_url, relay.url)
    core_a, core_b = a.server.app[core_key], b.server.app[core_key]
    alice, bob, room = await alice_and_bob_in_a_room(a)
    load = await Load(a, b, alice, bob, room).open()
    await until(lambda: core_a.hub.is_online_in(room["id"], bob.id), 5, "bob not online on A")
    await asyncio.sleep(0.5)

    await relay.cut()
    cut = time.monotonic()
    await until(lambda: not core_b.backplane.connected.is_set(), 5, "B did not notice the cut")
    await asyncio.sleep(4.0)  # longer than CHAT_PRESENCE_TTL (3 s here)
    # Cut off, B still serves: its senders were acknowledged, and its socket heard what
    # A acknowledged meanwhile, from the database (the safety poll), not from the bus.
    from_a = {i for cid, i in load.acked.items() if cid.startswith("a-")}
    heard_on_b = {i for i, when in load.sockets["B"] if when > cut}
    assert heard_on_b & from_a, "B's socket heard nothing from A while cut off"
    assert any(cid.startswith("b-") and i in heard_on_b for cid, i in load.acked.items())
    # A forgot B's users when B's presence expired in Redis; B still counts A's.
    assert not core_a.hub.is_online_in(room["id"], bob.id)
    assert core_b.hub.is_online_in(room["id"], alice.id)

    await relay.heal()
    healed = time.monotonic()
    bus = await until(lambda: core_b.backplane.connected.is_set(), 10, "B not back on the bus")
    await until(
        lambda: (
            core_a.hub.is_online_in(room["id"], bob.id)
            and core_b.hub.is_online_in(room["id"], alice.id)
        ),
        10,
        "presence did not agree again",
    )
    print(
        f"\npartition healed: B back on the bus in {bus:.2f} s,"
        f" presence agreed in {time.monotonic() - healed:.2f} s"
    )
    await asyncio.sleep(1.0)  # and the bus carries the load again
    await load.finish()
    await relay.cut()
    assert not [r.getMessage() for r in caplog.records if r.exc_info]


# Limits on (generous), so every write asks Redis for its bucket as in production.
LIMITS_ON = {"rate_writes": (1000.0, 1000), "rate_messages": (1000.0, 1000)}


async def test_a_process_silently_cut_off_from_redis_answers_without_waiting_for_it(
    database_url, aiohttp_client, tmp_path, redis_server, caplog
):
    """A partition that answers nothing (no reset, no refusal): B's writes must not each
    wait out a Redis timeout for their rate limit; its sockets are fed from the log."""
    relay = await TcpRelay(redis_server.port).heal()
    a, b = await two_processes(
        aiohttp_client, tmp_path, redis_server, database_url, relay.url, **LIMITS_ON
    )
    core_b = b.server.app[core_key]
    alice, bob, room = await alice_and_bob_in_a_room(a)
    load = await Load(a, b, alice, bob, room).open()
    await asyncio.sleep(0.5)

    await relay.cut(silent=True)
    cut = time.monotonic()
    await asyncio.sleep(6.0)  # longer than Redis calls' timeout (5 s)
    during = [wait for tag, at, wait in load.waits if tag == "b" and at > cut]
    assert len(during) > 10 and max(during) < 2.0, during
    from_a = {i for cid, i in load.acked.items() if cid.startswith("a-")}
    assert {i for i, when in load.sockets["B"] if when > cut} & from_a

    await relay.heal()
    healed = time.monotonic()
    await asyncio.sleep(1.0)
    await load.finish()
    print(
        f"\nsilent partition: B's slowest write while cut {max(during):.2f} s,"
        f" bus {'connected' if core_b.backplane.connected.is_set() else 'reconnecting'}"
        f" {time.monotonic() - healed:.1f} s after healing"
    )
    await relay.cut()
    assert not [r.getMessage() for r in caplog.records if r.exc_info]
