#!/usr/bin/env python3
"""Search on PostgreSQL beside SQLite at a million messages (issue 32), by hand (not CI):

  python bench/search_postgres.py --messages 1000000 --calls 30

The same messages (bench/search_ops.py's: 20 rooms, five senders, a hundred days, a
file in every 25th, a link in every 7th) go into a migrated SQLite database (FTS5
trigram index built in one go), then into a throwaway PostgreSQL cluster (the tests'
tests/pgcluster.py: initdb in /tmp, a free port on 127.0.0.1, stopped at the end) by
the product's own move (chat/ops/postgres_move.py, as `server.py migrate-to-postgres`:
the migrated schema, the bigram index of migration postgres/0030 maintained during the
copy, counts and checksums verified), then VACUUM ANALYZE as autovacuum would. Each
query's first page (21 ids, newest first, as the search endpoint asks) is planned by
the one plan (chat/core/conversation/search.py's matching_ids) and read by each
engine's SQL (chat/db/sqlite_search.py, chat/db/postgres_search.py) in this process;
p50 and p99 of --calls calls. Then the cost of the
bigram index per stored message: 5,000 messages inserted with and without it.
Bounded: a fixed number of calls and rows; nothing but 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import os
import platform
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from million import fill  # noqa: E402
from search_ops import PEOPLE, spread_row  # noqa: E402

from chat.core.conversation.search import NO_LIMIT, matching_ids  # noqa: E402
from chat.core.conversation.search_query import parse_query  # noqa: E402
from chat.db import postgres_search, sqlite_search  # noqa: E402
from chat.db.database import Database  # noqa: E402
from chat.db.pg_connection import PgConnection  # noqa: E402
from chat.db.search import Scope  # noqa: E402
from chat.ops.postgres_move import BATCH, move  # noqa: E402
from tests.pgcluster import PgCluster  # noqa: E402

READER, WRITER = 5000, 5001
QUERIES = {
    "'部署' (2 Chinese characters)": "部署",
    "'新版本' (3 characters)": "新版本",
    "'deploy' (English word)": "deploy",
    "'quarterly report' (two words)": "quarterly report",
    "from:wei has:link quarterly": "from:load5002 has:link quarterly",
    "from:wei in:big4 has:file after:… 部署": (
        "from:load5002 in:big4 has:file after:2026-11-01 部署"
    ),
    "in:big4 on:… release": "in:big4 on:2026-11-15 release",
}


def machine() -> str:
    model = next(
        (line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if "model name" in line),
        platform.processor(),
    )
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (
        f"{model}, {os.cpu_count()} CPUs, load average {load}, Python {platform.python_version()}"
    )


async def scope_of(conn, engine, query) -> Scope:
    rooms = () if query.room is None else tuple(await engine.room_ids_named(conn, query.room))
    sender = int(query.sender.removeprefix("load")) if query.sender else None
    return Scope(rooms, sender, None, None, True)


async def timed(conn, engine, q: str, calls: int) -> tuple[float, float, list[int]]:
    query = parse_query(q)
    took, ids = [], []
    for _ in range(calls):
        started = time.perf_counter()
        scope = await scope_of(conn, engine, query)
        ids, _ = await matching_ids(conn, engine, READER, query, scope, NO_LIMIT, 21)
        took.append((time.perf_counter() - started) * 1000)
    took.sort()
    return statistics.median(took), took[min(len(took) - 1, round(0.99 * len(took)))], ids


async def load_postgres(cluster: PgCluster, sqlite_path: Path, total: int) -> PgConnection:
    """The SQLite site copied into an empty database of the cluster, verified."""
    url = cluster.fresh_database(empty=True)
    source = sqlite3.connect(f"file:{sqlite_path}?mode=ro", uri=True)
    try:
        result = await move(source, str(sqlite_path), url, BATCH, lambda line: None)
    finally:
        source.close()
    if not all(check.same for check in result.checks):
        raise SystemExit(f"the copy of {total} messages does not verify: {result.checks}")
    conn = await PgConnection.open(url)
    await conn.execute("VACUUM ANALYZE")
    return conn


async def insert_cost(conn, rows: int = 5000) -> tuple[float, float]:
    """µs per message inserted (one executemany in one transaction, on the asyncpg
    connection) into two new copies of the messages table, indexes included (triggers
    not), one without the bigram index."""
    for table in ("indexed", "plain"):
        await conn.execute(f"CREATE TABLE {table} (LIKE messages INCLUDING ALL)")
    name = await conn.fetchval(
        """SELECT indexname FROM pg_indexes
           WHERE tablename = 'plain' AND indexdef LIKE '%chat_grams%'"""
    )
    await conn.execute(f'DROP INDEX "{name}"')
    records = [
        (n, 1 + n % 20, WRITER, f"新版本发布 deploy window #{n}", "2026-12-01T00:00:00Z", "")
        for n in range(1, rows + 1)
    ]
    costs = []
    for table in ("indexed", "plain"):
        started = time.perf_counter()
        async with conn.transaction():
            await conn.executemany(
                f"INSERT INTO {table} (id, room_id, sender_id, content, created_at, updated_at) "
                "VALUES ($1, $2, $3, $4, $5, $6)",
                records,
            )
        costs.append((time.perf_counter() - started) * 1e6 / rows)
    return costs[0], costs[1]


async def main(args) -> None:
    print(f"== search on PostgreSQL beside SQLite, {args.messages} messages ==")
    print(f"  machine: {machine()}")
    workdir = Path(tempfile.mkdtemp(prefix="teahouse-pgsearch-"))
    cluster = PgCluster()
    try:
        path = workdir / "teahouse.db"
        db = Database(path, read_budget=60)
        await db.open()
        await db.close()
        started = time.monotonic()
        row = functools.partial(spread_row, total=args.messages)
        fill(path, args.messages, 20, READER, WRITER, row, PEOPLE)
        print(f"  SQLite loaded and indexed in {time.monotonic() - started:.0f} s")
        cluster.start()
        started = time.monotonic()
        pg = await load_postgres(cluster, path, args.messages)
        print(f"  PostgreSQL copied and verified in {time.monotonic() - started:.0f} s")
        db = Database(path, read_budget=60)
        await db.open()
        print(
            f"\n{'query (first page of 21)':42} {'SQLite p50/p99':>18} {'PostgreSQL p50/p99':>20}"
        )
        async with db.bounded_read() as lite:
            for label, q in QUERIES.items():
                s50, s99, s_ids = await timed(lite, sqlite_search.SEARCH, q, args.calls)
                p50, p99, p_ids = await timed(pg, postgres_search.SEARCH, q, args.calls)
                print(
                    f"{label:42} {s50:7.1f} /{s99:6.1f} ms {p50:8.1f} /{p99:6.1f} ms"
                    f"  ({len(s_ids)} / {len(p_ids)} ids, "
                    f"{'the same' if s_ids == p_ids else 'NOT THE SAME'})"
                )
        await db.close()
        with_index, without = await insert_cost(pg.raw)
        print(
            f"\ninsert, µs per message (5,000 in one transaction): {with_index:.0f} with the "
            f"bigram index, {without:.0f} without"
        )
        print(f"  machine at the end: {machine()}")
        await pg.close()
    finally:
        cluster.stop()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--calls", type=int, default=30)
    asyncio.run(main(parser.parse_args()))
