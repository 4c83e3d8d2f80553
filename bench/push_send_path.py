"""The send path with Web Push on and off, side by side (issue 26): one in-process
server, a local TLS push service (tests/pushservice.py), and N REST posts that mention an
away member who has a push device (on) or none (off). Prints per-post latency.

    python bench/push_send_path.py --messages 300 --rounds 3
"""
from __future__ import annotations

import argparse
import asyncio
import ipaddress
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from aiohttp.test_utils import TestClient, TestServer  # noqa: E402

from chat.app import create_app  # noqa: E402
from chat.keys import pusher_key  # noqa: E402
from chat.settings import Settings  # noqa: E402
from tests.helpers import NO_RATE_LIMITS, make_room, register  # noqa: E402
from tests.pushservice import PushService  # noqa: E402


async def run(messages: int, pushes: bool, directory: Path) -> list[float]:
    service = await PushService(directory).start()
    settings = Settings(data_dir=directory / "data", push_grace_seconds=0.0,
                        outbound_allow=(ipaddress.ip_network("127.0.0.1/32"),),
                        outbound_ca_file=str(service.cert), push_queue_limit=10_000,
                        **NO_RATE_LIMITS)
    client = TestClient(TestServer(create_app(settings)))
    await client.start_server()
    try:
        await register(client, "admin")
        alice, bob = await register(client, "alice"), await register(client, "bob")
        room = await make_room(client, bob, name="bench", is_public=True)
        await client.post(f"/api/chat/rooms/{room['id']}/join/", headers=alice.headers)
        if pushes:
            resp = await client.post("/api/chat/push/devices/",
                                     json=service.browser("a").subscription(), headers=alice.headers)
            assert resp.status == 201
        took = []
        for n in range(messages):
            start = time.perf_counter()
            resp = await client.post(f"/api/chat/rooms/{room['id']}/messages/",
                                     json={"content": f"@alice number {n}"}, headers=bob.headers)
            assert resp.status == 201
            took.append(time.perf_counter() - start)
        if pushes:
            deadline = time.monotonic() + 60
            while len(service.received) < messages and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            print(f"  pushes decrypted by the service: {len(service.received)}/{messages}, "
                  f"sent {client.server.app[pusher_key].sent}")
        return took
    finally:
        await client.close()
        await service.stop()


def summary(took: list[float]) -> str:
    ordered = sorted(took)
    p95 = ordered[int(len(ordered) * 0.95) - 1]
    return f"p50 {statistics.median(ordered) * 1000:.2f} ms, p95 {p95 * 1000:.2f} ms"


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    for round_ in range(args.rounds):
        for pushes in (False, True):
            with tempfile.TemporaryDirectory() as tmp:
                took = await run(args.messages, pushes, Path(tmp))
            print(f"round {round_ + 1} pushes {'on ' if pushes else 'off'}: {summary(took)}")


if __name__ == "__main__":
    asyncio.run(main())
