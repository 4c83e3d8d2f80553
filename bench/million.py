"""The read paths over a million messages (issue 11), run by `bench/scale.py million`:
room list with unread counts, the notification badge, history pages and search (a
2-character Chinese term too), at 1,000 messages and at N, each the median of --calls
calls; the reader has read none of them."""

from __future__ import annotations

import shutil
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

import aiohttp
from provision import STAMP, fresh_teahouse, token

NEW_VERSION = "/api/chat/search/?q=%E6%96%B0%E7%89%88%E6%9C%AC"  # 新版本
WORDS = (
    "quarterly report",
    "lunch plans",
    "deploy window",
    "明天的会议改到三点",
    "新版本发布",
    "请看一下文档",
    "standup notes",
    "会议纪要",
    "coffee",
    "release train",
)


INSERT_MESSAGES = """INSERT INTO messages (room_id, sender_id, content, message_type, file_url,
                                          created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)"""


def plain_row(n: int, room_ids: list[int], writer: int) -> tuple:
    """(room_id, sender_id, content, message_type, file_url, created_at) of message n."""
    return (
        room_ids[n % len(room_ids)],
        writer,
        f"{WORDS[n % len(WORDS)]} #{n}",
        "text",
        None,
        STAMP,
    )


def fill(
    db: Path, messages: int, rooms: int, reader: int, writer: int, row=plain_row, people=()
) -> None:
    """rooms public rooms with both users (and `people`) as members; messages spread
    over them, by default all by writer (row(n, room_ids, writer) says otherwise); the
    reader has read none of them. The search index is built in one go."""
    conn = sqlite3.connect(db, isolation_level=None)
    everyone = (reader, writer, *people)
    try:
        conn.execute("BEGIN")
        for uid in everyone:
            conn.execute(
                """INSERT INTO users (id, username, username_key, created_at, updated_at)
                            VALUES (?, ?, ?, ?, ?)""",
                (uid, f"load{uid}", f"load{uid}", STAMP, STAMP),
            )
        for r in range(rooms):
            conn.execute(
                """INSERT INTO rooms (slug, name, room_type, created_at, updated_at)
                            VALUES (?, ?, 'public', ?, ?)""",
                (f"big{r}", f"big {r}", STAMP, STAMP),
            )
        room_ids = [row[0] for row in conn.execute("SELECT id FROM rooms WHERE slug LIKE 'big%'")]
        for room_id in room_ids:
            for uid in everyone:
                conn.execute(
                    """INSERT INTO memberships (room_id, user_id, joined_at)
                                VALUES (?, ?, ?)""",
                    (room_id, uid, STAMP),
                )
        conn.execute("DROP TRIGGER messages_fts_update")  # nothing indexed yet: faster load
        batch = []
        for n in range(messages):
            fields = row(n, room_ids, writer)
            batch.append((*fields, fields[-1]))
            if len(batch) == 10_000:
                conn.executemany(INSERT_MESSAGES, batch)
                batch.clear()
        if batch:
            conn.executemany(INSERT_MESSAGES, batch)
        conn.execute("INSERT INTO messages_fts(messages_fts) VALUES ('rebuild')")
        conn.execute("UPDATE search_indexed SET upto = (SELECT MAX(id) FROM messages)")
        conn.execute(  # what the indexer keeps for search's dates (migration 0027)
            """INSERT INTO message_days (day, first_id, last_id)
               SELECT substr(created_at, 1, 10), MIN(id), MAX(id) FROM messages GROUP BY 1"""
        )
        conn.execute("COMMIT")
        conn.execute("ROLLBACK") if conn.in_transaction else None
    finally:
        conn.close()
    # Put the update trigger back exactly as the migration made it.
    script = (
        Path(__file__).resolve().parent.parent / "chat/db/migrations/0012_live_scale.sql"
    ).read_text()
    trigger = script[script.index("CREATE TRIGGER messages_fts_update") :]
    conn = sqlite3.connect(db, isolation_level=None)
    conn.executescript(trigger)
    conn.close()


async def timed(http, url: str, headers: dict, calls: int) -> float:
    took = []
    for _ in range(calls):
        t0 = time.monotonic()
        async with http.get(url, headers=headers) as resp:
            await resp.read()
            if resp.status != 200:
                raise RuntimeError(f"{url}: {resp.status}")
        took.append((time.monotonic() - t0) * 1000)
    return statistics.median(took)


async def million_bench(args) -> None:
    results = {}
    reader, writer = 5000, 5001
    for total in (1000, args.messages):
        workdir = Path(tempfile.mkdtemp(prefix="teahouse-million-"))
        started = time.monotonic()
        server = await fresh_teahouse(
            workdir,
            args.server_cpu,
            lambda db, total=total: fill(db, total, args.rooms, reader, writer),
        )
        print(
            f"  {total} messages loaded and indexed in {time.monotonic() - started:.0f} s",
            flush=True,
        )
        try:
            async with aiohttp.ClientSession() as http:
                headers = {"Authorization": f"Bearer {token(reader)}"}
                base = server.base
                rooms = await (await http.get(f"{base}/api/chat/rooms/", headers=headers)).json()
                unread = sum(r.get("unread_count") or 0 for r in rooms)
                big = next(r for r in rooms if r.get("slug") == "big0")
                # '新版本' is in every 10th message, all of them in rooms big4 and big14.
                has_term = next(r for r in rooms if r.get("slug") == "big4")
                paths = {
                    "room list (with unread counts)": "/api/chat/rooms/",
                    "notification badge": "/api/chat/notifications/unread_count/",
                    "history page (newest)": f"/api/chat/rooms/{big['id']}/messages/",
                    "history before (deep)": (
                        f"/api/chat/rooms/{big['id']}/messages/?before={total // 2}"
                    ),
                    "search 'quarterly report'": "/api/chat/search/?q=quarterly%20report",
                    "search '会议' (2 characters)": "/api/chat/search/?q=%E4%BC%9A%E8%AE%AE",
                    "search '新版本' in a room with it": f"{NEW_VERSION}&room_id={has_term['id']}",
                    "search '新版本' in a room without": f"{NEW_VERSION}&room_id={big['id']}",
                }
                figures = {
                    label: await timed(http, base + path, headers, args.calls)
                    for label, path in paths.items()
                }
                results[total] = (unread, figures)
                print(
                    f"  {total} messages, {unread} unread: "
                    + ", ".join(f"{k} {v:.1f} ms" for k, v in figures.items()),
                    flush=True,
                )
        finally:
            server.stop()
            shutil.rmtree(workdir, ignore_errors=True)
    small, large = results[1000], results[args.messages]
    print(
        f"\n== read paths, p50 of {args.calls} calls: 1000 vs {args.messages} messages "
        f"({small[0]} vs {large[0]} unread) =="
    )
    for key in small[1]:
        print(
            f"{key:32} {small[1][key]:8.1f} ms {large[1][key]:8.1f} ms  "
            f"x{large[1][key] / small[1][key]:.2f}"
        )
