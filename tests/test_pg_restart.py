"""PostgreSQL stopped and started again while people send (issue 32): a server process
on a cluster of the test's own (tests/pgcluster.py), with Redis, and steady senders on
REST (channels, simple) and a socket. While the database is away every request that
needs it answers 503 in its surface's shape (a socket an error frame, and stays open),
/healthz says 503 and why; when it is back the process recovers by itself, and every
acknowledged message is stored once and reached the room's socket once."""

from __future__ import annotations

import asyncio
import itertools
import time
from dataclasses import dataclass, field

import aiohttp
import pytest

from tests.helpers import ERROR_KEY, next_frame
from tests.pgcluster import PgCluster
from tests.redisproc import RedisServer
from tests.serverproc import ServerProcess, register_at, shared_site_env

pytestmark = pytest.mark.slow
DOWN_SECONDS = 2.0  # how long the database stays away
RECOVERY_LIMIT = 5.0  # from PostgreSQL accepting connections to the next 201


@pytest.fixture(scope="module")
def own_pg():
    """A cluster of this file's own: stopping it must not hurt the session's others."""
    cluster = PgCluster().start()
    yield cluster
    cluster.stop()


@pytest.fixture
def redis_server(tmp_path):
    server = RedisServer(tmp_path / "redis").start()
    yield server
    server.stop()


@dataclass
class Sender:
    """Sends message after message through one REST dialect; a 503 is retried with the
    same client_id until it is acknowledged (exactly what a client should do)."""

    http: aiohttp.ClientSession
    url: str
    dialect: str
    token: str
    tag: str
    acked: dict[str, int] = field(default_factory=dict)  # client_id -> message id
    refusals: int = 0
    acked_at: list[float] = field(default_factory=list)

    async def run(self, stop: asyncio.Event) -> None:
        headers = {"Authorization": f"Bearer {self.token}"}
        for n in itertools.count():
            if stop.is_set():
                return
            client_id = f"{self.tag}-{n}"
            body = {"content": client_id, "client_id": client_id}
            while True:
                async with self.http.post(self.url, json=body, headers=headers) as resp:
                    answer = await resp.json()
                    if resp.status in (200, 201):
                        self.acked[client_id] = int(answer["id"])
                        self.acked_at.append(time.monotonic())
                        break
                    assert resp.status == 503, (resp.status, answer)
                    assert set(answer) == {ERROR_KEY[self.dialect]}, answer
                    self.refusals += 1
                await asyncio.sleep(0.05)
            await asyncio.sleep(0.02)


async def socket_sender(ws, stop: asyncio.Event, acked: dict[str, int], errors: list) -> None:
    """Sends on a channels socket; an error frame (the database away) is retried with the
    same client_id. The socket must stay open throughout."""
    for n in itertools.count():
        if stop.is_set():
            return
        client_id = f"ws-{n}"
        while client_id not in acked:
            await ws.send_json(
                {"type": "chat_message", "content": client_id, "client_id": client_id}
            )
            while True:
                frame = await next_frame(ws, timeout=10)
                if frame["type"] == "error":
                    errors.append(frame["message"])
                    await asyncio.sleep(0.05)
                    break
                if frame["type"] == "chat_message" and frame["message"]["client_id"] == client_id:
                    acked[client_id] = frame["message"]["id"]
                    break
        await asyncio.sleep(0.02)


async def health_watch(http, base: str, stop: asyncio.Event, seen: list) -> None:
    while not stop.is_set():
        async with http.get(base + "/healthz") as resp:
            seen.append((resp.status, await resp.json()))
        await asyncio.sleep(0.1)


async def listen(ws, ids: list[int]) -> None:
    """Every id of a message people wrote that this socket hears, until cancelled."""
    while True:
        frame = await next_frame(ws, "chat_message", timeout=60)
        if frame["message"]["message_type"] != "system":
            ids.append(frame["message"]["id"])


@pytest.mark.parametrize("mode", ["fast", "immediate"])
async def test_postgresql_restarted_under_load_is_503_then_recovers_losing_nothing(
    own_pg, redis_server, tmp_path, mode
):
    url = own_pg.fresh_database()
    env = {
        "CHAT_DATABASE_URL": url,
        "CHAT_REDIS_URL": redis_server.url,
        "CHAT_BACKPLANE_POLL": "0.3",
        **shared_site_env("s" * 32, tmp_path / "files"),
    }
    (tmp_path / "files").mkdir()
    server = ServerProcess(tmp_path / "data", **env).start()
    try:
        async with aiohttp.ClientSession() as http:
            alice = await register_at(http, server.base, "alice")
            bob = await register_at(http, server.base, "bob")
            alice_auth = {"Authorization": f"Bearer {alice['access_token']}"}
            bob_auth = {"Authorization": f"Bearer {bob['access_token']}"}
            async with http.post(
                server.base + "/api/chat/rooms/", json={"name": "team"}, headers=alice_auth
            ) as resp:
                room = await resp.json()
            await http.post(f"{server.base}/api/chat/rooms/{room['id']}/join/", headers=bob_auth)
            ws_base = server.base.replace("http", "ws")
            watcher = await http.ws_connect(
                f"{ws_base}/ws/chat/{room['id']}/?token={bob['access_token']}"
            )
            await next_frame(watcher, "connection_established")
            on_socket = await http.ws_connect(
                f"{ws_base}/ws/chat/{room['id']}/?token={alice['access_token']}"
            )
            await next_frame(on_socket, "connection_established")

            senders = [
                Sender(
                    http, f"{server.base}/api/chat/rooms/{room['id']}/messages/", "channels",
                    alice["access_token"], "channels",
                ),
                Sender(
                    http, f"{server.base}/api/chat/send?room_id={room['id']}", "simple",
                    bob["access_token"], "simple",
                ),
            ]  # fmt: skip
            stop, health_stop = asyncio.Event(), asyncio.Event()
            socket_acked: dict[str, int] = {}
            socket_errors: list[str] = []
            health: list = []
            load = [asyncio.create_task(s.run(stop)) for s in senders]
            load.append(
                asyncio.create_task(socket_sender(on_socket, stop, socket_acked, socket_errors))
            )
            watch = asyncio.create_task(health_watch(http, server.base, health_stop, health))
            heard: list[int] = []
            listening = asyncio.create_task(listen(watcher, heard))
            await asyncio.sleep(1.0)

            await asyncio.to_thread(own_pg.stop_server, mode)
            await asyncio.sleep(DOWN_SECONDS / 2)
            late = await http.ws_connect(
                f"{ws_base}/ws/chat/{room['id']}/?token={bob['access_token']}"
            )
            assert (await late.receive(timeout=5)).type == aiohttp.WSMsgType.CLOSE
            assert late.close_code == 1013  # try again later
            await asyncio.sleep(DOWN_SECONDS / 2)
            refusals_while_down = sum(s.refusals for s in senders)
            await asyncio.to_thread(own_pg.run_server)
            back = time.monotonic()
            while not any(t > back for s in senders for t in s.acked_at):
                assert time.monotonic() - back < RECOVERY_LIMIT, "no recovery"
                await asyncio.sleep(0.05)
            await asyncio.sleep(1.0)  # and steady again
            stop.set()
            await asyncio.wait_for(asyncio.gather(*load), 20)
            health_stop.set()
            await watch

            recovered = min(t for s in senders for t in s.acked_at if t > back) - back
            print(
                f"\nPostgreSQL stopped ({mode}) for {DOWN_SECONDS:g} s: {refusals_while_down}"
                f" REST 503s; first 201 {recovered:.2f} s after it accepted connections"
            )
            assert refusals_while_down > 0 and socket_errors, "the outage was not seen"
            assert recovered < RECOVERY_LIMIT
            down = [body for status, body in health if status == 503]
            assert down and all("database" in " ".join(b["reasons"]) for b in down), health
            assert health[-1][0] == 200, health[-1]
            assert not on_socket.closed and not watcher.closed

            acked = {**socket_acked}
            for sender in senders:
                acked.update(sender.acked)
            rows = own_pg.sql(
                "SELECT client_id, id FROM messages WHERE client_id IS NOT NULL",
                url.rsplit("/", 1)[1],
            ).split()
            stored = sorted((cid, int(mid)) for cid, mid in (row.split("|") for row in rows))
            assert stored == sorted(acked.items())  # each once, under the id acknowledged
            await asyncio.sleep(0.5)  # the last frames, and any duplicate, arrive
            listening.cancel()
            missing = [c for c, i in acked.items() if i not in heard]
            assert sorted(heard) == sorted(acked.values()), missing  # each frame once
            for ws in (watcher, on_socket):
                await ws.close()
    finally:
        server.stop()
    log = server.output()
    assert "Traceback" not in log and " 500 " not in log, log[-4000:]
    # The outage is told when it starts and when it ends, not once per refused write.
    assert log.count("write batch failed") == 1, log[-4000:]
    assert "writes recovered from database_unavailable after" in log
    assert log.count("storage failed in") <= 3 * 3, log[-4000:]  # a few lines per 10 s
    assert log.count("backplane safety poll failed") <= 3, log[-4000:]  # one per 10 s
