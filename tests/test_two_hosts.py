"""Two hosts serve one site: two server processes with separate data directories that
share only the database, Redis and the files directory (CHAT_FILES_DIR), each told the
same secrets, behind one nginx. A file uploaded on one is downloaded from the other, an
avatar set on one is shown by the other, a token issued by one works on the other, and
scheduled messages due while both run are each sent once.

The hosts share a database of the session's real PostgreSQL cluster (tests/pgcluster.py),
as several hosts do; PostgreSQL only (a shared SQLite file is one host's layout, and
the claims are the same SQL on both engines), to keep CI's time for what differs.
"""

from __future__ import annotations

import asyncio
import io
from datetime import UTC, datetime, timedelta

import aiohttp
import pytest

from tests.redisproc import RedisServer
from tests.serverproc import ServerProcess, free_port, register_at, shared_site_env
from tests.test_reverse_proxy import (  # noqa: F401 (tls_files is a fixture)
    nginx_running,
    require_nginx,
    site_config,
    tls_files,
)

pytestmark = pytest.mark.slow
SCHEDULED = 12  # messages falling due together while both hosts run


@pytest.fixture
def shared_database(pg_cluster):
    """The URL of a migrated database of the session's PostgreSQL, for this test."""
    url = pg_cluster.fresh_database()
    yield url
    pg_cluster.drop_database(url)


@pytest.fixture
def hosts(tmp_path, shared_database):
    """(host A, host B): one process each, sharing database, Redis and files."""
    redis = RedisServer(tmp_path / "redis").start()
    files = tmp_path / "shared-files"  # the mount every host has
    shared = {
        "CHAT_DATABASE_URL": shared_database,
        **shared_site_env("one secret for every host of this site", files),
        "CHAT_REDIS_URL": redis.url,
        "CHAT_BACKPLANE_POLL": "0.3",
        "CHAT_TRUSTED_PROXIES": "127.0.0.1",
    }
    a_dir, b_dir = tmp_path / "host-a", tmp_path / "host-b"
    started = []
    try:
        a = ServerProcess(a_dir, **shared).start()
        started.append(a)
        b = ServerProcess(b_dir, **shared).start()
        started.append(b)
        yield a, b
    finally:
        for server in started:
            server.stop()
        redis.stop()


@pytest.fixture
def front(tmp_path, tls_files, hosts):  # noqa: F811 (tls_files is a fixture)
    """https base URL of nginx spreading requests over both hosts."""
    require_nginx()
    a, b = hosts
    https_port = free_port()
    text = site_config([a.port, b.port], https_port, free_port(), *tls_files)
    with nginx_running(tmp_path / "nginx", text, https_port):
        yield f"https://127.0.0.1:{https_port}"


@pytest.fixture
async def session():
    async with aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(ssl=False), timeout=aiohttp.ClientTimeout(total=20)
    ) as client:
        yield client
    await asyncio.sleep(0.25)  # TLS transports close their handshakes


def bearer(person: dict) -> dict:
    return {"Authorization": f"Bearer {person['access_token']}"}


async def test_a_token_and_a_file_from_one_host_work_on_the_other(hosts, session):
    a, b = hosts
    alice = await register_at(session, a.base, "alice")
    async with session.get(f"{b.base}/api/auth/me", headers=bearer(alice)) as resp:
        assert resp.status == 200 and (await resp.json())["username"] == "alice"
    text = b"minutes of the meeting\n" * 1000
    form = aiohttp.FormData()
    form.add_field("file", io.BytesIO(text), filename="minutes.txt", content_type="text/plain")
    async with session.post(f"{a.base}/api/chat/upload", data=form, headers=bearer(alice)) as resp:
        assert resp.status == 200, await resp.text()
        url = (await resp.json())["file_url"]
    async with session.get(f"{b.base}{url}", headers=bearer(alice)) as resp:
        assert resp.status == 200 and await resp.read() == text
    # Nothing of it on either host's own disk: it is in the shared files directory.
    for host in hosts:
        assert not (host.data_dir / "uploads" / "chat").exists() or not any(
            (host.data_dir / "uploads" / "chat").iterdir()
        )


async def test_an_avatar_set_on_one_host_is_shown_by_the_other(hosts, session):
    from tests.test_avatars import picture

    a, b = hosts
    alice = await register_at(session, a.base, "alice")
    bob = await register_at(session, b.base, "bob")
    form = aiohttp.FormData()
    form.add_field("file", picture("PNG"), filename="me.png", content_type="image/png")
    async with session.post(
        f"{a.base}/api/auth/me/avatar", data=form, headers=bearer(alice)
    ) as resp:
        assert resp.status == 200, await resp.text()
    async with session.get(f"{b.base}/api/users/?q=alice", headers=bearer(bob)) as resp:
        assert resp.status == 200, await resp.text()
        found = await resp.json()
    avatar = next(user["avatar_url"] for user in found if user["username"] == "alice")
    async with session.get(f"{b.base}{avatar}", headers=bearer(bob)) as resp:
        assert resp.status == 200 and resp.headers["Content-Type"] == "image/png"
        assert (await resp.read()).startswith(b"\x89PNG")


async def test_scheduled_messages_are_each_sent_once_by_one_of_the_hosts(
    hosts, front, session, pg_cluster, shared_database
):
    a, b = hosts
    alice = await register_at(session, front, "alice")
    async with session.post(f"{front}/api/chat/rooms/1/join/", headers=bearer(alice)) as resp:
        assert resp.status == 200, await resp.text()
    send_at = (datetime.now(UTC) + timedelta(seconds=2.5)).isoformat()
    for n in range(SCHEDULED):
        host = (a, b)[n % 2]
        async with session.post(
            f"{host.base}/api/chat/rooms/1/scheduled/",
            headers=bearer(alice),
            json={"content": f"scheduled number {n}", "send_at": send_at},
        ) as resp:
            assert resp.status == 201, await resp.text()
    sent = []
    for _ in range(100):
        await asyncio.sleep(0.2)
        async with session.get(
            f"{front}/api/chat/scheduled/?state=sent", headers=bearer(alice)
        ) as resp:
            sent = await resp.json()
        if len(sent) == SCHEDULED:
            break
    assert len(sent) == SCHEDULED
    async with session.get(
        f"{front}/api/chat/rooms/1/messages/?page_size=100", headers=bearer(alice)
    ) as resp:
        assert resp.status == 200, await resp.text()
        messages = (await resp.json())["messages"]
    contents = [m["content"] for m in messages if m["content"].startswith("scheduled number")]
    assert sorted(contents) == sorted(f"scheduled number {n}" for n in range(SCHEDULED))
    # Each was claimed in the database by one of the two processes before it was sent.
    owners = sql_at(pg_cluster, shared_database, "SELECT claimed_by FROM scheduled_messages")
    pids = {str(a.process.pid), str(b.process.pid)}
    assert len(owners) == SCHEDULED and all(o and o.split(":")[1] in pids for o in owners)


def test_two_hosts_starting_at_once_on_a_new_database_both_come_up_migrated(tmp_path, pg_cluster):
    """An upgrade starts every host at once: one applies each migration under the
    advisory lock, the others wait for it and find it applied (chat/db/migrate.py)."""
    from chat.db.migrate import available_migrations

    url = pg_cluster.fresh_database(empty=True)
    shared = {
        "CHAT_DATABASE_URL": url,
        **shared_site_env("one secret for every host of this site", tmp_path / "files"),
    }
    a, b = (
        ServerProcess(tmp_path / "host-a", **shared),
        ServerProcess(tmp_path / "host-b", **shared),
    )
    try:
        a.spawn()
        b.spawn()
        a.wait_healthy()
        b.wait_healthy()
        version = sql_at(pg_cluster, url, "SELECT version FROM schema_version")
        assert version == [str(available_migrations()[-1][0])]
    finally:
        a.stop()
        b.stop()
        pg_cluster.drop_database(url)


def sql_at(cluster, url: str, statement: str) -> list[str]:
    """One column of a query on the database the hosts share, as psql prints it."""
    return cluster.sql(statement, url.rsplit("/", 1)[1]).splitlines()
