"""Fixtures build real things: a data dir in tmp_path, the real app, real users."""

from __future__ import annotations

import asyncio
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from chat.app import create_app
from chat.core.people import accounts
from chat.db import Database
from chat.keys import core_key
from chat.ops.datadir import PRIVATE_DIR, PRIVATE_FILE
from chat.settings import Settings
from tests.helpers import NO_RATE_LIMITS, register
from tests.ldapserver import Slapd, require_slapd
from tests.pgcluster import PgCluster
from tests.serverproc import shared_site_env

# A test file runs on both engines with one line, `pytestmark = both_engines`
# (tests/pgcluster.py); TEAHOUSE_TEST_DATABASE=postgres runs every app fixture's server
# on PostgreSQL.


MEMORY_FOLDER = Path("/dev/shm")
MEMORY_NEEDED = 2**30  # bytes free; the suite's tmp_path folders at any moment are far less


def pytest_configure(config) -> None:
    """Test folders (tmp_path) live in memory when /dev/shm has room: every commit and
    every data-directory write of the code under test is fsync'd (synchronous=FULL,
    chat/durable.py), about 28 fsyncs per app test, 2-40 ms each on a busy disk, and no
    test can observe whether an fsync reached a disk (tests/test_power_cuts.py cuts its
    own FUSE file system). An explicit --basetemp or TMPDIR is kept."""
    if config.option.basetemp or "TMPDIR" in os.environ or "PYTEST_DEBUG_TEMPROOT" in os.environ:
        return
    if not os.access(MEMORY_FOLDER, os.W_OK | os.X_OK):
        return
    free = os.statvfs(MEMORY_FOLDER)
    if free.f_bavail * free.f_frsize >= MEMORY_NEEDED:
        os.environ["PYTEST_DEBUG_TEMPROOT"] = str(MEMORY_FOLDER)  # pytest's base for tmp_path


def pytest_collection_modifyitems(config, items) -> None:
    """Files with slow tests run first. scripts/test hands whole files to the workers
    in collection order, so a long file collected late ran alone at the end while the
    other core idled; started first, the short files fill in around it."""
    slow = {item.path for item in items if item.get_closest_marker("slow")}
    items.sort(key=lambda item: item.path not in slow)  # stable: the rest keep their order


@pytest.fixture(scope="session")
def pg_cluster():
    """One PostgreSQL cluster for the session (tests/pgcluster.py)."""
    cluster = PgCluster().start()
    yield cluster
    cluster.stop()


# The real scrypt cost (n = 2**14) takes about 60 ms of CPU per hash, and the suite
# registers and signs in thousands of people: in-process tests hash at a cheap factor
# (a stored hash names its own parameters, so nothing else changes). `full_password_cost`
# puts the real one back; server subprocesses always hash at the real cost.
FULL_PASSWORD_COST = dict(accounts.SCRYPT)
CHEAP_PASSWORD_COST = {"n": 2**4, "r": 8, "p": 1}


@pytest.fixture(autouse=True, scope="session")
def cheap_password_hashes():
    accounts.SCRYPT = CHEAP_PASSWORD_COST
    yield
    accounts.SCRYPT = FULL_PASSWORD_COST


@pytest.fixture
def full_password_cost(monkeypatch):
    monkeypatch.setattr(accounts, "SCRYPT", FULL_PASSWORD_COST)


@pytest.fixture
def database_url(request) -> Iterator[str | None]:
    """None: SQLite in the data directory. On PostgreSQL: a fresh migrated database."""
    engine = getattr(request, "param", None) or os.environ.get("TEAHOUSE_TEST_DATABASE", "sqlite")
    if engine == "sqlite":
        yield None
        return
    cluster = request.getfixturevalue("pg_cluster")
    url = cluster.fresh_database()
    yield url
    cluster.drop_database(url)


@pytest.fixture
def server_env(database_url, tmp_path) -> dict[str, str]:
    """The CHAT_* settings a server process (tests/serverproc.py) takes to run on this
    test's engine: none on SQLite; on PostgreSQL the URL and what every PostgreSQL site
    must be given (chat/host_settings.py), its files in tmp_path/files."""
    if database_url is None:
        return {}
    return {"CHAT_DATABASE_URL": database_url, **shared_site_env("s" * 40, tmp_path / "files")}


@pytest.fixture
def database(database_url, tmp_path):
    """What Database opens in this test: the PostgreSQL URL, or a SQLite file."""
    return database_url or tmp_path / "teahouse.db"


@pytest.fixture
def settings(tmp_path, database_url) -> Settings:
    return Settings(
        data_dir=tmp_path / "data",
        database_url=database_url,
        heartbeat_seconds=5.0,
        **NO_RATE_LIMITS,
    )


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory) -> Path:
    """A SQLite database as the migrations leave it, made once per test process: the
    ~30 migrations' commits cost each app fixture about 0.05 s of CPU and a second of
    wall on a loaded machine (each one an fsync'd transaction)."""
    path = tmp_path_factory.mktemp("migrated") / "teahouse.db"

    async def migrate() -> None:
        db = Database(path)
        await db.open()
        await db.close()

    # Its own thread: no event loop of a test's may be running or replaced here.
    thread = threading.Thread(target=asyncio.run, args=(migrate(),))
    thread.start()
    thread.join()
    return path


def start_from_template(settings: Settings, template: Path) -> None:
    """A new SQLite site starts from a copy of the migrated template, which holds
    exactly what a first start's migrations write (the seeded rooms, no people);
    an existing database or a PostgreSQL one is left to the app."""
    path = settings.database_path
    if settings.database != path or path.exists():
        return
    path.parent.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
    shutil.copyfile(template, path)
    os.chmod(path, PRIVATE_FILE)


@pytest.fixture
async def client(aiohttp_client, settings, migrated_template):
    start_from_template(settings, migrated_template)
    return await aiohttp_client(create_app(settings))


@pytest.fixture
def core(client):
    return client.server.app[core_key]


@pytest.fixture
def make_user(client):
    """make_user(name) registers through the real endpoint; the first one is a site admin."""

    async def make(username: str, **extra):
        return await register(client, username, **extra)

    return make


@pytest.fixture
async def admin(make_user):
    return await make_user("admin")


@pytest.fixture
async def alice(admin, make_user):
    return await make_user("alice", display_name="Alice Liddell")


@pytest.fixture
async def bob(admin, make_user):
    return await make_user("bob")


@pytest.fixture(scope="module")
def slapd(tmp_path_factory):
    """A real OpenLDAP server seeded with the test directory, one per test module."""
    require_slapd()
    server = Slapd(tmp_path_factory.mktemp("slapd")).start()
    yield server
    server.stop()
