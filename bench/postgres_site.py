"""A throwaway PostgreSQL cluster for the benches' `--database postgres` (issue 32):
tests/pgcluster.py's PgCluster (initdb in a temporary directory, a free 127.0.0.1 port,
fsync and synchronous_commit on, stopped and removed at the end; never the system
service), and what a server process on it must be given (chat/host_settings.py: a
PostgreSQL site takes its secret, VAPID key and files directory from settings).

The cluster code is the tests' own (imported, not copied): a bench's cluster is made
exactly as the tests' is.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `tests` is a package of the repository root
    sys.path.insert(0, str(ROOT))

from tests.pgcluster import PgCluster  # noqa: E402
from tests.serverproc import vapid_key  # noqa: E402

DATABASES = ("sqlite", "postgres")
CLOCK_TICK = os.sysconf("SC_CLK_TCK")


def add_database_argument(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--database",
        default="sqlite",
        help="comma list of sqlite, postgres: the engines the servers run on, each in turn "
        "beside the others (postgres: a throwaway cluster this bench starts in /tmp)",
    )


def databases(args) -> list[str]:
    names = [n.strip() for n in args.database.split(",") if n.strip()]
    unknown = set(names) - set(DATABASES)
    if unknown or not names:
        raise SystemExit(f"--database: comma list of {', '.join(DATABASES)}")
    return names


@contextlib.contextmanager
def cluster_if(needed: bool, cpu: int | None = None) -> Iterator[PgCluster | None]:
    """A started cluster (stopped and removed on the way out), or None. With `cpu`, its
    processes are pinned to that core (the servers'): PostgreSQL is server work."""
    if not needed:
        yield None
        return
    mine = os.sched_getaffinity(0)
    if cpu is not None:  # pg_ctl's postmaster and every backend inherit it
        os.sched_setaffinity(0, {cpu})
    try:
        cluster = PgCluster().start()
    finally:
        os.sched_setaffinity(0, mine)
    where = f", pinned to cpu {cpu}" if cpu is not None else ""
    print(f"PostgreSQL {cluster.bin.parent.name} on port {cluster.port}{where}", flush=True)
    try:
        yield cluster
    finally:
        cluster.stop()


def site_for(args, workdir: Path) -> dict[str, str] | None:
    """server_env() when the bench runs a cluster (args.cluster), else None (SQLite)."""
    return server_env(args.cluster, workdir) if args.cluster else None


def server_env(cluster: PgCluster, workdir: Path) -> dict[str, str]:
    """CHAT_* for the server processes of one configuration on a database of their own
    (a copy of the migrated template): they share it, and the files directory."""
    files = workdir / "files"
    files.mkdir(exist_ok=True)
    return {
        "CHAT_DATABASE_URL": cluster.fresh_database(),
        "CHAT_VAPID_PRIVATE_KEY": vapid_key(),
        "CHAT_FILES_DIR": str(files),
    }


def cluster_cpu_seconds(cluster: PgCluster) -> float:
    """CPU time of the whole cluster: the postmaster, its live children (backends,
    WAL writer, checkpointer) and the children it has reaped (/proc/<pid>/stat)."""
    postmaster = int((cluster.data / "postmaster.pid").read_text().split()[0])
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # gone meanwhile
            continue
        pid, parent = int(entry.name), int(fields[1])
        if pid == postmaster:
            total += sum(int(f) for f in fields[11:15])  # utime stime cutime cstime
        elif parent == postmaster:
            total += int(fields[11]) + int(fields[12])
    return total / CLOCK_TICK
