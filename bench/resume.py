"""One socket's resume while the event loop is busy, as in a reconnect storm (issue 27):

  python bench/resume.py --resumes 100 --busy-ms 1

The app runs in this process (the real create_app on a fresh SQLite file); a task keeps
its event loop busy (--busy-ms of Python work, then a yield, over and over: what
thousands of reconnecting sockets do to it). One socket after another resumes
`global` with ?since= three messages back; the figure is the time from the connect to
the third replayed message. A resume whose reads are round trips to a thread waits for
the GIL each time (up to the 5 ms switch interval while the loop computes); with
--busy-ms 0 the loop is idle. Run it on two trees (alternating) to compare them.
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
from aiohttp import web

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this tree's chat/
from chat.app import create_app  # noqa: E402
from chat.settings import Settings  # noqa: E402

ACTIONS = ("messages", "typing", "reactions", "uploads", "writes")
RATES_OFF = {f"rate_{action}": (0.0, 1) for action in ACTIONS}  # the bench posts flat out
MISSED = 3


async def keep_busy(seconds: float, stop: asyncio.Event) -> None:
    while not stop.is_set():
        until = time.perf_counter() + seconds
        while time.perf_counter() < until:
            pass
        await asyncio.sleep(0)


async def resume_once(http, token: str, since: int) -> float:
    start = time.perf_counter()
    ws = await http.ws_connect(f"/ws/chat/global/?token={token}&since={since}")
    got = 0
    while got < MISSED:
        frame = await asyncio.wait_for(ws.receive_json(), 30)
        got += frame["type"] == "chat_message"
    took = time.perf_counter() - start
    await ws.close()
    return took * 1000


async def run(args) -> list[float]:
    data = Path(tempfile.mkdtemp(prefix="teahouse-resume-")) / "data"
    runner = web.AppRunner(create_app(Settings(data_dir=data, **RATES_OFF)), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    try:
        async with aiohttp.ClientSession(f"http://127.0.0.1:{port}") as http:
            body = {"username": "alice", "password": "correct horse"}
            async with http.post("/api/auth/register", json=body) as resp:
                token = (await resp.json())["access_token"]
            ids = []
            for n in range(MISSED + 1):
                async with http.post(
                    "/api/chat/rooms/global/messages/",
                    json={"content": f"m{n}"},
                    headers={"Authorization": f"Bearer {token}"},
                ) as resp:
                    ids.append((await resp.json())["id"])
            stop = asyncio.Event()
            busy = asyncio.create_task(keep_busy(args.busy_ms / 1000, stop))
            if args.busy_ms <= 0:
                stop.set()
            try:
                return [await resume_once(http, token, ids[0]) for _ in range(args.resumes)]
            finally:
                stop.set()
                await busy
    finally:
        await runner.cleanup()


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--resumes", type=int, default=100)
    p.add_argument("--busy-ms", type=float, default=1.0, help="0: an idle loop")
    args = p.parse_args()
    took = sorted(asyncio.run(run(args)))
    print(
        f"resume ({'idle loop' if args.busy_ms <= 0 else f'loop busy {args.busy_ms:g} ms a turn'})"
        f": median {statistics.median(took):.1f} ms, p90 {took[int(len(took) * 0.9)]:.1f} ms "
        f"({len(took)} resumes)"
    )


if __name__ == "__main__":
    main()
