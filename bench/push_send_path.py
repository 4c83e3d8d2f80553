"""The send path with Web Push on and off, side by side (issue 26): a real server
process, a local TLS push service in this process (tests/pushservice.py, which checks
and decrypts every push), and N REST posts that each mention an away member who has a
push device (on) or none (off). Prints per-post latency as the sender sees it.

    python bench/push_send_path.py --messages 300 --rounds 3
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.pushservice import PushService  # noqa: E402
from tests.serverproc import ServerProcess, register_at  # noqa: E402


def auth(person: dict) -> dict:
    return {"Authorization": f"Bearer {person['access_token']}"}


async def run(messages: int, pushes: bool, directory: Path) -> list[float]:
    service = await PushService(directory).start()
    server = ServerProcess(
        directory / "data",
        CHAT_PUSH_GRACE_SECONDS="0",
        CHAT_OUTBOUND_ALLOW="127.0.0.1/32",
        CHAT_PUSH_QUEUE="10000",
        CHAT_OUTBOUND_CA_FILE=str(service.cert),
    )
    server.start()
    try:
        async with aiohttp.ClientSession() as session:
            base = server.base
            await register_at(session, base, "admin")
            alice, bob = (
                await register_at(session, base, "alice"),
                await register_at(session, base, "bob"),
            )
            async with session.post(
                f"{base}/api/chat/rooms/",
                headers=auth(bob),
                json={"name": "bench", "is_public": True},
            ) as resp:
                room = await resp.json()
            await session.post(f"{base}/api/chat/rooms/{room['id']}/join/", headers=auth(alice))
            if pushes:
                async with session.post(
                    f"{base}/api/chat/push/devices/",
                    headers=auth(alice),
                    json=service.browser("a").subscription(),
                ) as resp:
                    assert resp.status == 201
            took = []
            for n in range(messages):
                start = time.perf_counter()
                async with session.post(
                    f"{base}/api/chat/rooms/{room['id']}/messages/",
                    json={"content": f"@alice number {n}"},
                    headers=auth(bob),
                ) as resp:
                    assert resp.status == 201
                took.append(time.perf_counter() - start)
            if pushes:
                deadline = time.monotonic() + 60
                while len(service.received) < messages and time.monotonic() < deadline:
                    await asyncio.sleep(0.05)
                print(f"  pushes decrypted by the service: {len(service.received)}/{messages}")
            return took
    finally:
        server.stop()
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
