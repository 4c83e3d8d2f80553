#!/usr/bin/env python3
"""The write path's cost per job on each engine (issue 32), by hand (not CI): the real
send path (chat/core/conversation/messages.py send(): room and membership checks, the
message row, the event log's sequence, unread counters) through the real Database
writer, in this process, without HTTP or sockets.

  python bench/write_path.py --database sqlite,postgres --messages 2000 --writers 50

Per engine: one sender at a time (a batch of one: the latency of one commit), then
--writers senders at once (group commit: jobs/s), and on PostgreSQL the round trips the
writer's connection made per message (asyncpg's query logger: one call is one round
trip, BEGIN/SAVEPOINT/COMMIT included). CPU per message: this process (the server's
share: core, Database, driver) and the writer's PostgreSQL backend (/proc/<pid>/stat),
which hold on a loaded machine where messages/s and latencies do not. PostgreSQL is a
throwaway cluster started in /tmp (bench/postgres_site.py) with fsync and
synchronous_commit on; SQLite a file in /tmp with synchronous=FULL. Bounded: a fixed
number of messages; 127.0.0.1 only.
"""

from __future__ import annotations

import asyncio
import itertools
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from postgres_site import ROOT, add_database_argument, cluster_if, databases
from servers import cpu_seconds, doc_parser

sys.path.insert(0, str(ROOT))

from chat.core import Core  # noqa: E402
from chat.core.conversation import messages  # noqa: E402
from chat.db import Database  # noqa: E402
from chat.db import users as user_sql  # noqa: E402
from chat.hub import Hub  # noqa: E402
from chat.settings import Settings  # noqa: E402
from tests.helpers import NO_RATE_LIMITS  # noqa: E402


def parse_args(argv=None):
    p = doc_parser(__doc__)
    add_database_argument(p)
    p.add_argument("--messages", type=int, default=2000, help="messages per phase")
    p.add_argument("--writers", type=int, default=50, help="senders at once in phase 2")
    return p.parse_args(argv)


class RoundTrips:
    """Counts the statements (round trips) asyncpg sends on the writer's connection, and
    the CPU time of the PostgreSQL backend serving it (/proc: the cluster is local)."""

    def __init__(self, db: Database):
        self.count = 0
        self.raw = getattr(db.engine.writer, "raw", None)  # None on SQLite
        if self.raw is not None:
            self.raw.add_query_logger(self.seen)

    def seen(self, _query) -> None:
        self.count += 1

    def backend_cpu(self) -> float:
        return cpu_seconds(self.raw.get_server_pid()) if self.raw is not None else 0.0


async def opened_core(target, workdir: Path) -> Core:
    settings = Settings(data_dir=workdir / "data", database_url=target, **NO_RATE_LIMITS)
    db = Database(settings.database)
    await db.open()
    return Core(db=db, hub=Hub(), settings=settings, secret="bench-secret")


async def make_senders(core: Core, count: int) -> list:
    async def job(conn):
        return [
            await user_sql.insert_user(conn, f"sender{n}", f"Sender {n}", None, False)
            for n in range(count)
        ]

    senders = await core.db.write(job)
    for user in senders:  # joins `global` on the first send, outside the timing
        await messages.send(core, user, "global", "hello")
    return senders


async def phase(core: Core, senders: list, total: int, writers: int, counter: RoundTrips):
    numbers = itertools.count()
    latencies: list[float] = []

    async def sender(user) -> None:
        while (n := next(numbers)) < total:
            started = time.perf_counter()
            await messages.send(core, user, "global", f"message {n}", client_id=f"c{n}")
            latencies.append(time.perf_counter() - started)

    counter.count = 0
    started, cpu, backend = time.perf_counter(), time.process_time(), counter.backend_cpu()
    await asyncio.gather(*(sender(user) for user in senders[:writers]))
    seconds = time.perf_counter() - started
    latencies.sort()
    return {
        "cpu_us": (time.process_time() - cpu) / total * 1e6,
        "backend_us": (counter.backend_cpu() - backend) / total * 1e6,
        "jobs_s": total / seconds,
        "p50_ms": statistics.median(latencies) * 1e3,
        "p99_ms": latencies[int(len(latencies) * 0.99)] * 1e3,
        "trips": counter.count / total if counter.raw is not None else None,
    }


async def one_engine(engine: str, cluster, args) -> list[tuple[str, str, dict]]:
    workdir = Path(tempfile.mkdtemp(prefix=f"teahouse-write-{engine}-"))
    target = cluster.fresh_database() if engine == "postgres" else None
    core = await opened_core(target, workdir)
    try:
        senders = await make_senders(core, args.writers)
        counter = RoundTrips(core.db)
        rows = []
        for name, writers in (("one at a time", 1), (f"{args.writers} at once", args.writers)):
            stats = await phase(core, senders, args.messages, writers, counter)
            rows.append((engine, name, stats))
            print(format_row(engine, name, stats), flush=True)
            core.db.write_failure = None
        return rows
    finally:
        await core.db.close()
        shutil.rmtree(workdir, ignore_errors=True)


def format_row(engine: str, name: str, s: dict) -> str:
    trips = f"{s['trips']:.2f}" if s["trips"] is not None else "–"
    backend = f"{s['backend_us']:.0f}" if s["trips"] is not None else "–"
    return (
        f"| {engine} | {name} | {s['jobs_s']:,.0f} | {s['p50_ms']:.2f} | {s['p99_ms']:.2f} "
        f"| {s['cpu_us']:.0f} | {backend} | {trips} |"
    )


async def main(args) -> None:
    names = databases(args)
    with cluster_if("postgres" in names) as cluster:
        print(
            "| engine | senders | messages/s | p50 ms | p99 ms | CPU µs/message: this process "
            "| PostgreSQL backend | round trips / message |"
        )
        print("|---|---|---:|---:|---:|---:|---:|---:|")
        for engine in names:
            await one_engine(engine, cluster, args)


if __name__ == "__main__":
    arguments = parse_args()
    print("command: python " + " ".join(sys.argv), flush=True)
    asyncio.run(main(arguments))
