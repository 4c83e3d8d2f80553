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
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `tests` is a package of the repository root
    sys.path.insert(0, str(ROOT))

from tests.pgcluster import PgCluster  # noqa: E402
from tests.serverproc import vapid_key  # noqa: E402

DATABASES = ("sqlite", "postgres")


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
def cluster_if(needed: bool) -> Iterator[PgCluster | None]:
    """A started cluster (stopped and removed on the way out), or None."""
    if not needed:
        yield None
        return
    cluster = PgCluster().start()
    print(f"PostgreSQL {cluster.bin.parent.name} cluster on port {cluster.port}", flush=True)
    try:
        yield cluster
    finally:
        cluster.stop()


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
