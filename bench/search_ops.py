"""Search with operators over N messages (issue 29), run by `bench/scale.py search_ops`:
the plain searches of bench/million.py beside filtered ones (from:, in:, has:, dates,
exclusions, the issue's `from:wei in:ops has:file after:… 部署`), each the median of
--calls calls. Provisioned like bench/million.py, with five senders, a hundred days of
dates, a file in every 25th message and a link in every 7th, spread by a hash so that
no operator lines up with a room."""

from __future__ import annotations

import functools
import shutil
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

import aiohttp
from million import fill
from provision import fresh_teahouse, token

READER, WRITER = 5000, 5001
PEOPLE = (5002, 5003, 5004, 5005)  # load5002 plays "wei"
WORDS = (
    "quarterly report",
    "部署 tonight",
    "deploy window",
    "明天的会议改到三点",
    "新版本发布",
    "请看一下文档",
    "standup notes",
    "会议纪要 部署",
    "coffee",
    "release train",
)
QUERIES = {
    "plain 'quarterly report'": "quarterly report",
    "plain '部署' (2 characters)": "部署",
    "from:wei in:big4 has:file after:… 部署": (
        "from:load5002 in:big4 has:file after:2026-11-01 部署"
    ),
    "from:wei in:big4 has:file after:… deploy": (
        "from:load5002 in:big4 has:file after:2026-11-01 deploy"
    ),
    "from:wei has:link quarterly": "from:load5002 has:link quarterly",
    "in:big4 on:… release": "in:big4 on:2026-11-15 release",
    "report -quarterly (nothing left)": "report -quarterly",
    '"standup notes" before:…': '"standup notes" before:2026-09-01',
    "from:wei (operators only)": "from:load5002",
    "in:big4 on:… release (a day with messages)": "in:big4 on:2026-10-15 release",
    "in:big4": "in:big4",
    "has:file": "has:file",
    "has:link": "has:link",
    "has:image (none stored)": "has:image",
    "is:pinned (none stored)": "is:pinned",
    "mentions:wei (none stored)": "mentions:load5002",
    "after:…": "after:2026-11-01",
    "before:… 部署": "before:2026-08-05 部署",
    "in:big4 coffee -tonight": "in:big4 coffee -tonight",
}


def spread_row(n: int, room_ids: list[int], writer: int, total: int) -> tuple:
    """Message n: sender, words, file, link and day picked by a multiplicative hash."""
    h = (n * 2654435761) % 2**32
    sender = (writer, *PEOPLE)[h % 5]
    content = f"{WORDS[(h >> 4) % len(WORDS)]} #{n}"
    if (h >> 16) % 7 == 0:
        content += " https://example.com/x"
    kind, url = ("file", f"/uploads/chat/{n:032x}.pdf") if (h >> 8) % 25 == 0 else ("text", None)
    day = 100 * n // total
    stamp = f"2026-{8 + day // 30:02d}-{1 + day % 30:02d}T12:00:00.000Z"
    return room_ids[n % len(room_ids)], sender, content, kind, url, stamp


async def percentiles(http, url: str, headers: dict, calls: int) -> tuple[float, float]:
    """p50 and p99 (with few calls, about the slowest) of `calls` sequential calls."""
    took = []
    for _ in range(calls):
        started = time.monotonic()
        async with http.get(url, headers=headers) as resp:
            await resp.read()
        took.append((time.monotonic() - started) * 1000)
    took.sort()
    return took[len(took) // 2], took[min(len(took) - 1, len(took) * 99 // 100)]


async def search_ops_bench(args) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="teahouse-search-ops-"))
    row = functools.partial(spread_row, total=args.messages)
    started = time.monotonic()
    server = await fresh_teahouse(
        workdir,
        args.server_cpu,
        lambda db: fill(db, args.messages, args.rooms, READER, WRITER, row, PEOPLE),
    )
    print(f"  {args.messages} messages loaded and indexed in {time.monotonic() - started:.0f} s")
    try:
        async with aiohttp.ClientSession() as http:
            headers = {"Authorization": f"Bearer {token(READER)}"}
            print(f"\n== search, p50 / p99 of {args.calls} calls over {args.messages} messages ==")
            for label, q in QUERIES.items():
                url = f"{server.base}/api/chat/search/?q={quote(q)}"
                async with http.get(url, headers=headers) as resp:
                    body = await resp.json()
                    if resp.status != 200:
                        raise RuntimeError(f"{q}: {resp.status} {body}")
                    hits = len(body["results"])
                p50, p99 = await percentiles(http, url, headers, args.calls)
                print(f"{label:44} {p50:8.1f} / {p99:6.1f} ms  ({hits} hits on the first page)")
    finally:
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)
