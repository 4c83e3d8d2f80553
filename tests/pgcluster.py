"""A real PostgreSQL cluster for the tests: initdb into a temporary directory, started
with pg_ctl on a free 127.0.0.1 port (its socket in that directory, fsync on), stopped
by pg_ctl when the session ends; never the system service. As root the server runs as
the `postgres` user of Debian's package (initdb and postgres refuse root).

fresh_database() copies a migrated template (CREATE DATABASE ... TEMPLATE), so each test
gets its own database without running every migration. A copy still costs a write of
the template's 8 MB and a flush, so the next copy is made in the background while a
test runs, and a finished test's database is dropped there too.
Missing binaries skip the tests on a developer's machine and fail them in CI
(scripts/test installs postgresql).
"""

from __future__ import annotations

import asyncio
import itertools
import os
import shutil
import subprocess
import tempfile
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import asyncpg
import pytest

from tests.serverproc import free_port

# The mark that runs a test (or a file: `pytestmark = both_engines`) on SQLite and on
# PostgreSQL, through the database_url fixture of tests/conftest.py.
ENGINES = ("sqlite", "postgres")
both_engines = pytest.mark.parametrize("database_url", ENGINES, indirect=True)
BIN_DIRS = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
SUPERUSER = "postgres"
TEMPLATE = "teahouse_template"


def pg_binaries() -> Path:
    for folder in BIN_DIRS:
        if (folder / "initdb").exists() and (folder / "pg_ctl").exists():
            return folder
    if os.environ.get("CI"):
        pytest.fail("PostgreSQL is missing (scripts/test installs the postgresql package)")
    pytest.skip("PostgreSQL is not installed (apt-get install postgresql)")


def run_in_thread(make_coroutine) -> None:
    """Run a coroutine to completion on its own loop (a fixture may be set up while
    another loop runs in this thread)."""
    failure: list[BaseException] = []

    def target() -> None:
        try:
            asyncio.run(make_coroutine())
        except BaseException as exc:  # re-raised in the caller's thread
            failure.append(exc)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if failure:
        raise failure[0]


class PgCluster:
    def __init__(self):
        self.bin = pg_binaries()
        self.root = Path(tempfile.mkdtemp(prefix="teahouse-pg-"))
        self.data = self.root / "data"
        self.port = free_port()
        self.as_user = ["runuser", "-u", SUPERUSER, "--"] if os.geteuid() == 0 else []
        self._names = itertools.count(1)
        # One thread: copies and drops run one at a time, in the order asked.
        self._chores = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pgcluster")
        self._next: Future | None = None
        self._admin_conn = None  # made on the chore thread, used only there
        self._admin_loop: asyncio.AbstractEventLoop | None = None

    def _run(self, *args: str) -> str:
        done = subprocess.run(
            [*self.as_user, *args], capture_output=True, text=True, timeout=120, check=False
        )
        if done.returncode != 0:
            raise RuntimeError(f"{args[0]} failed: {done.stdout}{done.stderr}")
        return done.stdout

    def start(self) -> PgCluster:
        if self.as_user:
            shutil.chown(self.root, SUPERUSER)
        self._run(
            str(self.bin / "initdb"), "-D", str(self.data), "-U", SUPERUSER,
            "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync",
        )  # fmt: skip
        self.run_server()
        self.sql(f"CREATE DATABASE {TEMPLATE}")
        run_in_thread(lambda: migrated(self.url(TEMPLATE)))
        return self

    def run_server(self) -> None:
        """Start the server on the initialised data directory (again, after stop_server)."""
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.root}"
            " -c fsync=on -c synchronous_commit=on -c max_connections=200"
        )
        self._run(
            str(self.bin / "pg_ctl"), "-D", str(self.data), "-o", options,
            "-l", str(self.root / "server.log"), "-w", "-t", "60", "start",
        )  # fmt: skip

    def stop_server(self, mode: str = "fast") -> None:
        """Stop the server, keeping its data: "fast" (clients are told and disconnected,
        as in a restart) or "immediate" (a crash: recovery from the WAL at the next
        start). A test that does this runs a cluster of its own, not pg_cluster's."""
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")

    def url(self, database: str) -> str:
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def sql(self, statement: str, database: str = "postgres") -> str:
        return self._run(
            "psql", "-h", str(self.root), "-p", str(self.port), "-U", SUPERUSER, "-d", database,
            "-v", "ON_ERROR_STOP=1", "-At", "-c", statement,
        )  # fmt: skip

    def fresh_database(self, empty: bool = False) -> str:
        """The URL of a new database: migrated (a copy of the template), or empty."""
        if empty:
            return self.url(self._chores.submit(self._create, "template0").result())
        ready = self._next or self._chores.submit(self._create, TEMPLATE)
        self._next = self._chores.submit(self._create, TEMPLATE)  # for the next test
        return self.url(ready.result())

    def _create(self, template: str) -> str:
        name = f"test_{os.getpid()}_{next(self._names)}"
        self._admin(f"CREATE DATABASE {name} TEMPLATE {template}")
        return name

    def _admin(self, statement: str) -> None:
        """A statement on the chore thread's own connection (a psql per statement cost
        ~65 ms of CPU, a tenth of a PostgreSQL case)."""
        if self._admin_conn is None:
            self._admin_loop = asyncio.new_event_loop()
            self._admin_conn = self._admin_loop.run_until_complete(
                asyncpg.connect(self.url("postgres"))
            )
        self._admin_loop.run_until_complete(self._admin_conn.execute(statement))

    def drop_database(self, url: str) -> None:
        """After a test (a copy of the template is ~8 MB on disk): its connections too,
        in the background (a database left behind goes with the cluster)."""
        self._chores.submit(
            self._admin, f"DROP DATABASE IF EXISTS {url.rsplit('/', 1)[1]} WITH (FORCE)"
        )

    def _close_admin(self) -> None:
        if self._admin_conn is not None:
            self._admin_loop.run_until_complete(self._admin_conn.close())
            self._admin_loop.close()

    def stop(self) -> None:
        self._chores.submit(self._close_admin)
        self._chores.shutdown(wait=True)
        if (self.data / "postmaster.pid").exists():
            self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")
        shutil.rmtree(self.root, ignore_errors=True)


async def migrated(url: str) -> None:
    from chat.db import Database

    db = Database(url)
    await db.open()
    await db.close()
