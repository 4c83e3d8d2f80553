"""Losing a host loses nothing (issue 32): two hosts behind one nginx, with separate
data directories and nothing shared but a real PostgreSQL, Redis and the files
directory. Host A is two processes, host B one. While four people send steadily (each
message with a client_id; acknowledged = the REST answer arrived), every process of A
is killed with SIGKILL. The clients A served (channels sockets and user sockets, found
by each process's /metrics) reconnect through nginx, resume with since (channels
`?since=`, the user socket `?resume=`) and within 5 s of the kill hold every
acknowledged message exactly once, in order per room; the clients B served carry on
the same. A send that died with A is retried with its client_id, and every
acknowledged message is in the database once.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import time
from dataclasses import dataclass, field

import aiohttp
import pytest

from tests.redisproc import RedisServer
from tests.serverproc import ServerProcess, free_port, register_at, shared_site_env
from tests.test_reverse_proxy import (  # noqa: F401 (tls_files is a fixture)
    nginx_running,
    require_nginx,
    site_config,
    tls_files,
)

pytestmark = pytest.mark.slow
PEOPLE = ("alice", "bob", "carol", "dave")  # each sends, each watches
SOCKETS = 12  # alternately channels and user sockets, spread by nginx over 3 processes
PACE = 0.02  # seconds between one sender's messages
BEFORE_KILL, AFTER_KILL = 1.5, 1.5  # seconds of sending around the kill
CAUGHT_UP_WITHIN = 5.0  # seconds after the kill (issue 32)
ENDED = (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR)


@dataclass
class Site:
    front: str  # https://… of nginx: the one address clients know
    host_a: list[ServerProcess]
    host_b: ServerProcess
    database: str


@pytest.fixture
def site(tmp_path, tls_files, pg_cluster):  # noqa: F811 (tls_files is a fixture)
    require_nginx()
    url = pg_cluster.fresh_database()
    redis = RedisServer(tmp_path / "redis").start()
    env = {
        "CHAT_DATABASE_URL": url,
        **shared_site_env("one secret for every host of this site", tmp_path / "files"),
        "CHAT_REDIS_URL": redis.url,
        "CHAT_TRUSTED_PROXIES": "127.0.0.1",
        "CHAT_METRICS": "1",
    }
    host_a = [ServerProcess(tmp_path / "host-a", **env) for _ in range(2)]
    host_b = ServerProcess(tmp_path / "host-b", **env)
    processes = [*host_a, host_b]
    try:
        for process in processes:
            process.spawn()
        for process in processes:
            process.wait_healthy()
        https_port = free_port()
        text = site_config([p.port for p in processes], https_port, free_port(), *tls_files)
        with nginx_running(tmp_path / "nginx", text, https_port):
            yield Site(f"https://127.0.0.1:{https_port}", host_a, host_b, url)
    finally:
        for process in processes:
            process.stop()
        redis.stop()
        pg_cluster.drop_database(url)


@dataclass
class Watcher:
    """One client's socket through nginx: what it received per room (id, when), and
    its reconnects, each resuming from the last id it holds."""

    session: aiohttp.ClientSession
    wss: str
    kind: str  # "channels" (one room) or "user" (every room of the person)
    token: str
    rooms: list[int]
    got: dict[int, list[tuple[int, float]]] = field(default_factory=dict)
    cut_at: float | None = None
    back_at: float | None = None
    failure: str | None = None
    ws: aiohttp.ClientWebSocketResponse | None = None

    def url(self) -> str:
        last = {room: self.got[room][-1][0] if self.got.get(room) else 0 for room in self.rooms}
        if self.kind == "channels":
            room = self.rooms[0]
            return f"{self.wss}/ws/chat/{room}/?token={self.token}&since={last[room]}"
        resume = ",".join(f"{room}:{since}" for room, since in last.items())
        return f"{self.wss}/ws/user/?token={self.token}&resume={resume}"

    async def connect(self) -> None:
        self.ws = await self.session.ws_connect(self.url(), headers={"Origin": self.origin})
        while json.loads((await self.ws.receive(timeout=10)).data)["type"] != (
            "connection_established"
        ):
            pass

    @property
    def origin(self) -> str:
        return self.wss.replace("wss://", "https://")

    async def run(self) -> None:
        """Read until cancelled; a socket that ends is opened again through nginx."""
        while True:
            msg = await self.ws.receive()
            if msg.type in ENDED:
                self.cut_at = self.cut_at or time.monotonic()
                await self.reconnect()
                continue
            frame = json.loads(msg.data)
            if frame["type"] == "history_gap":
                self.failure = f"history_gap: {frame}"
            elif frame["type"] == "chat_message":
                room = frame.get("room_id", self.rooms[0])
                self.got.setdefault(room, []).append((frame["message"]["id"], time.monotonic()))

    async def reconnect(self) -> None:
        while True:
            try:
                await self.connect()
            except (aiohttp.ClientError, TimeoutError):
                await asyncio.sleep(0.05)  # nginx finds the dead upstream and moves on
                continue
            self.back_at = time.monotonic()
            return

    def ids(self, room: int) -> list[int]:
        return [message_id for message_id, _ in self.got.get(room, [])]


@dataclass
class Sender:
    """Sends to one room through nginx until told to stop; a request that fails (nginx
    answers 502 when its process died) is sent again with the same client_id."""

    session: aiohttp.ClientSession
    front: str
    name: str
    token: str
    room: int
    acked: dict[str, tuple[int, int, float]] = field(default_factory=dict)  # room, id, when
    retries: int = 0
    replayed: int = 0  # retries answered with the message already stored (200)

    async def run(self, stop: asyncio.Event) -> None:
        number = 0
        while not stop.is_set():
            client_id = f"{self.name}-{number}"
            while not await self.send(client_id):
                self.retries += 1
                await asyncio.sleep(0.05)
            number += 1
            await asyncio.sleep(PACE)

    async def send(self, client_id: str) -> bool:
        try:
            async with self.session.post(
                f"{self.front}/api/chat/rooms/{self.room}/messages/",
                json={"content": f"message {client_id}", "client_id": client_id},
                headers={"Authorization": f"Bearer {self.token}"},
            ) as resp:
                if resp.status not in (200, 201):
                    return False
                self.replayed += resp.status == 200
                self.acked[client_id] = (self.room, (await resp.json())["id"], time.monotonic())
                return True
        except (aiohttp.ClientError, TimeoutError):
            return False


async def metrics_sockets(session, process: ServerProcess) -> float:
    """The sockets a process holds (seats, per its /metrics, asked directly)."""
    async with session.get(f"{process.base}/metrics") as resp:
        text = await resp.text()
    return sum(
        float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line.startswith("teahouse_open_sockets{")
    )


async def open_watchers(session, site: Site, people: dict, rooms: list[int]):
    """SOCKETS watchers through nginx, each found on its process by /metrics."""
    wss = site.front.replace("https://", "wss://")
    processes = [*site.host_a, site.host_b]
    counts = [await metrics_sockets(session, p) for p in processes]
    on_a, on_b = [], []
    for n in range(SOCKETS):
        person = people[PEOPLE[(n // 2) % len(PEOPLE)]]
        kind = ("channels", "user")[n % 2]
        watched = [rooms[(n // 4) % len(rooms)]] if kind == "channels" else rooms
        watcher = Watcher(session, wss, kind, person["access_token"], watched)
        await watcher.connect()
        now = [await metrics_sockets(session, p) for p in processes]
        grew = [index for index, (b, a) in enumerate(zip(counts, now, strict=True)) if a > b]
        assert len(grew) == 1, (counts, now)
        (on_b if grew[0] == len(processes) - 1 else on_a).append(watcher)
        counts = now
    return on_a, on_b


def catch_up(watcher: Watcher, acked) -> float:
    """Seconds from the watcher's reconnect until it held every message of its rooms
    acknowledged before that reconnect."""
    missed = {i for room, i, when in acked if room in watcher.rooms and when < watcher.back_at}
    arrived = [
        when for room in watcher.rooms for i, when in watcher.got.get(room, []) if i in missed
    ]
    return max(max(arrived, default=watcher.back_at) - watcher.back_at, 0.0)


def database_messages(pg_cluster, url: str) -> list[tuple[str, int]]:
    rows = pg_cluster.sql(
        "SELECT client_id, id FROM messages WHERE client_id IS NOT NULL", url.rsplit("/", 1)[1]
    )
    return [(line.split("|")[0], int(line.split("|")[1])) for line in rows.splitlines()]


async def test_killing_a_host_mid_send_loses_and_repeats_nothing(site, pg_cluster):
    async with aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(ssl=False), timeout=aiohttp.ClientTimeout(total=10)
    ) as session:
        people = {name: await register_at(session, site.front, name) for name in PEOPLE}
        rooms = []
        for name in ("north", "south"):
            async with session.post(
                f"{site.front}/api/chat/rooms/",
                json={"name": name},
                headers={"Authorization": f"Bearer {people['alice']['access_token']}"},
            ) as resp:
                assert resp.status == 201, await resp.text()
                rooms.append((await resp.json())["id"])
        for person in people.values():
            for room in rooms:
                async with session.post(
                    f"{site.front}/api/chat/rooms/{room}/join/",
                    headers={"Authorization": f"Bearer {person['access_token']}"},
                ) as resp:
                    assert resp.status == 200, await resp.text()

        on_a, on_b = await open_watchers(session, site, people, rooms)
        assert {w.kind for w in on_a} == {"channels", "user"} and on_b, (on_a, on_b)
        watching = [asyncio.create_task(w.run()) for w in on_a + on_b]
        senders = [
            Sender(session, site.front, name, people[name]["access_token"], rooms[n % 2])
            for n, name in enumerate(PEOPLE)
        ]
        stop = asyncio.Event()
        sending = [asyncio.create_task(s.run(stop)) for s in senders]

        await asyncio.sleep(BEFORE_KILL)
        for process in site.host_a:  # the whole host at once: no goodbye, no flush
            os.kill(process.process.pid, signal.SIGKILL)
        killed_at = time.monotonic()
        for process in site.host_a:
            process.process.wait(timeout=10)
        await asyncio.sleep(AFTER_KILL)
        stop.set()
        await asyncio.wait_for(asyncio.gather(*sending), 10)

        acked = {cid: entry for s in senders for cid, entry in s.acked.items()}
        wanted = {room: sorted(i for r, i, _ in acked.values() if r == room) for room in rooms}
        before_kill = {cid for cid, (_, _, when) in acked.items() if when < killed_at}

        def caught_up(watcher: Watcher) -> bool:
            return all(set(wanted[room]) <= set(watcher.ids(room)) for room in watcher.rooms)

        deadline = killed_at + CAUGHT_UP_WITHIN
        while time.monotonic() < deadline and not all(map(caught_up, on_a + on_b)):
            await asyncio.sleep(0.05)
        finished_at = time.monotonic()
        await asyncio.sleep(0.3)  # anything repeated late would show now
        for task in watching:
            task.cancel()
        await asyncio.gather(*watching, return_exceptions=True)
        for watcher in on_a + on_b:
            await watcher.ws.close()

    for watcher in on_a + on_b:
        assert watcher.failure is None, watcher.failure
        for room in watcher.rooms:
            ids = watcher.ids(room)
            assert ids == sorted(set(ids)), (
                f"{watcher.kind} in room {room}: repeated or out of order"
            )
            missing = set(wanted[room]) - set(ids)
            assert not missing, f"{watcher.kind} in room {room} lacks {sorted(missing)}"
    assert all(w.cut_at is not None and w.back_at is not None for w in on_a)
    assert all(w.cut_at is None for w in on_b)
    assert finished_at < deadline

    # Reconnect to caught up: from the new socket's greeting until it holds every
    # message acknowledged before that greeting (what it missed comes in the replay).
    resumed = [(w.back_at - killed_at, catch_up(w, acked.values())) for w in on_a]
    assert max(r[0] + r[1] for r in resumed) < CAUGHT_UP_WITHIN
    stored = database_messages(pg_cluster, site.database)
    client_ids = [cid for cid, _ in stored]
    assert len(client_ids) == len(set(client_ids))  # a retry never stored a second copy
    assert {cid: i for cid, i in stored if cid in acked} == {
        cid: i for cid, (_, i, _) in acked.items()
    }
    print(
        f"\n{len(acked)} acknowledged ({len(before_kill)} before the kill), "
        f"{sum(s.retries for s in senders)} sends retried "
        f"({sum(s.replayed for s in senders)} answered with the stored message); "
        f"{len(on_a)} sockets cut, {len(on_b)} kept; back through nginx after "
        f"{max(r[0] for r in resumed) * 1000:.0f} ms at most, caught up "
        f"{max(r[1] for r in resumed) * 1000:.0f} ms after reconnecting at most; every client "
        f"complete {(finished_at - killed_at) * 1000:.0f} ms after the kill (loaded machine)"
    )
