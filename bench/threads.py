"""Threads at scale (issue 28, item 6), against a real server process:

  python bench/threads.py --replies 10000 --follows 1000 --calls 30

One room holds a thread of --replies replies beside as many room messages; the reader
follows --follows threads (each with one unread reply). Side by side, the median of
--calls calls: a room's history page and main timeline vs the big thread's first page,
and the room list vs the Threads view (the issue's budget: 50 ms at 1,000 follows).
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import sqlite3
import tempfile
import time
from pathlib import Path

import aiohttp
from million import timed
from provision import STAMP, fresh_teahouse, token

READER, WRITER = 5000, 5001


def fill(db: Path, replies: int, follows: int) -> int:
    """Room 'big' with replies room messages and a root with replies thread-only
    replies (the writer's); 'many' with follows roots, one reply each, followed by the
    reader. The triggers of migration 0021 keep every counter. Returns the big root's id."""
    conn = sqlite3.connect(db, isolation_level=None)
    try:
        conn.execute("BEGIN")
        for uid in (READER, WRITER):
            conn.execute(
                """INSERT INTO users (id, username, username_key, created_at, updated_at)
                   VALUES (?, ?, ?, ?, ?)""",
                (uid, f"load{uid}", f"load{uid}", STAMP, STAMP),
            )
        rooms = {}
        for slug in ("big", "many"):
            cursor = conn.execute(
                """INSERT INTO rooms (slug, name, room_type, created_at, updated_at)
                   VALUES (?, ?, 'public', ?, ?)""",
                (slug, slug, STAMP, STAMP),
            )
            rooms[slug] = cursor.lastrowid
            for uid in (READER, WRITER):
                conn.execute(
                    "INSERT INTO memberships (room_id, user_id, joined_at) VALUES (?, ?, ?)",
                    (rooms[slug], uid, STAMP),
                )
        insert = """INSERT INTO messages (room_id, sender_id, content, reply_to, thread_id,
                                          thread_only, created_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)"""
        big = rooms["big"]
        root = conn.execute(insert, (big, WRITER, "the big thread", None, None, 0, STAMP, STAMP))
        root_id = root.lastrowid
        rows = []
        for n in range(replies):
            rows.append((big, WRITER, f"room message {n}", None, None, 0, STAMP, STAMP))
            rows.append((big, WRITER, f"reply {n}", root_id, root_id, 1, STAMP, STAMP))
        conn.executemany(insert, rows)
        many = rooms["many"]
        for n in range(follows):
            cursor = conn.execute(insert, (many, WRITER, f"topic {n}", None, None, 0, STAMP, STAMP))
            topic = cursor.lastrowid
            conn.execute(insert, (many, WRITER, f"re {n}", topic, topic, 1, STAMP, STAMP))
            conn.execute(
                """INSERT INTO thread_follows (user_id, root_id, room_id, followed_at)
                   VALUES (?, ?, ?, ?)""",
                (READER, topic, many, STAMP),
            )
        conn.execute("COMMIT")
    finally:
        conn.close()
    return root_id


async def run(args) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="teahouse-threads-"))
    started = time.monotonic()
    roots = []
    server = await fresh_teahouse(
        workdir, args.server_cpu, lambda db: roots.append(fill(db, args.replies, args.follows))
    )
    print(f"  loaded in {time.monotonic() - started:.0f} s", flush=True)
    try:
        async with aiohttp.ClientSession() as http:
            headers = {"Authorization": f"Bearer {token(READER)}"}
            base = server.base
            rooms = await (await http.get(f"{base}/api/chat/rooms/", headers=headers)).json()
            big = next(r for r in rooms if r.get("slug") == "big")
            view = await (await http.get(f"{base}/api/chat/threads/", headers=headers)).json()
            assert view["unread_threads"] == args.follows, view["unread_threads"]
            paths = {
                "room history page (newest)": f"/api/chat/rooms/{big['id']}/messages/",
                "room main timeline page": f"/api/chat/rooms/{big['id']}/timeline/",
                f"thread of {args.replies} replies, first page": (
                    f"/api/chat/threads/{roots[0]}/messages/"
                ),
                "room list (with unread counts)": "/api/chat/rooms/",
                f"Threads view, {args.follows} followed": "/api/chat/threads/",
            }
            print(f"\n== p50 of {args.calls} calls ==")
            for label, path in paths.items():
                took = await timed(http, base + path, headers, args.calls)
                print(f"{label:40} {took:8.1f} ms", flush=True)
    finally:
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--replies", type=int, default=10_000)
    p.add_argument("--follows", type=int, default=1_000)
    p.add_argument("--calls", type=int, default=30)
    p.add_argument("--server-cpu", type=int, default=0, help="the CPU the server is pinned to")
    asyncio.run(run(p.parse_args()))
