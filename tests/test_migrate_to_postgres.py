"""`server.py migrate-to-postgres`: a SQLite site made through the product's own paths
moves into a real PostgreSQL cluster (tests/pgcluster.py), verified table by table; a
server started on the PostgreSQL URL serves its history; a copy killed mid-way resumes
without duplicates; a foreign or used database is refused; a tampered row is found."""

from __future__ import annotations

import asyncio
import signal
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest

from chat.core.conversation import messages
from chat.db.users import user_by_id
from chat.ops.datadir import hold_server_lock
from chat.ops.move_check import RowDigest
from chat.ops.move_plan import MoveRefused, foreign_key_order
from chat.ops.postgres_move import SQLITE_MOVE, move_to_postgres
from chat.settings import Settings
from tests.helpers import Person
from tests.serverproc import ROOT, ServerProcess, clean_env, run_cli, shared_site_env
from tests.test_export import team  # noqa: F401 (a fixture)
from tests.test_hooks import make_hook
from tests.threadkit import reply

BULK = 400  # messages enough that a copy in batches of 5 is still running when killed


@pytest.fixture
def database_url() -> None:
    """The site is SQLite (the target database comes from pg_cluster)."""
    return None


@dataclass
class Site:
    settings: Settings
    alice: Person
    room: dict


@pytest.fixture
async def site(client, core, settings, alice, bob, team) -> Site:
    """The export tests' team (a room, a reply, an edit, a reaction, a file, a deletion,
    a direct room) and more through the API: a second reaction, a pin, a token and a
    revoked one, a thread, a hook and its post, audit rows; then BULK messages through
    the core's send path. The server is then stopped (the command wants the site to
    itself)."""
    room = team
    first = (
        await core.db.fetch_one("SELECT MIN(id) FROM messages WHERE room_id = ?", (room["id"],))
    )[0]
    for path, body, who in (
        (f"/api/chat/messages/{first}/reactions/", {"emoji": "🍵"}, alice),
        (f"/api/chat/messages/{first}/pin/", None, alice),
        ("/api/chat/tokens/", {"name": "ci"}, alice),
    ):
        assert (await client.post(path, json=body, headers=who.headers)).status in (200, 201)
    revoked = await client.post("/api/chat/tokens/", json={"name": "old"}, headers=alice.headers)
    revoked = await revoked.json()  # the newest token, deleted: its id is never given again
    gone = await client.delete(f"/api/chat/tokens/{revoked['id']}/", headers=alice.headers)
    assert gone.ok
    await reply(client, bob, first, "in the thread")
    hook = await make_hook(client, alice, room)
    assert (await client.post(hook["path"], json={"text": "build 42 passed"})).status == 200
    user = await user_by_id(core.db.reader, alice.id)
    await asyncio.gather(*(messages.send(core, user, room["id"], f"部署 {i}") for i in range(BULK)))
    assert await count(core.db, "audit_log") > 0 and await count(core.db, "threads") >= 1
    await client.close()
    return Site(settings, alice, room)


async def count(db, table: str) -> int:
    return (await db.fetch_one(f"SELECT COUNT(*) FROM {table}"))[0]


def on_postgres(site: Site, url: str) -> dict[str, str]:
    """The environment a server or command on the PostgreSQL copy runs with: the
    site's own secret (its tokens stay valid) and files."""
    settings = site.settings
    secret = settings.secret or (settings.data_dir / "jwt_secret").read_text().strip()
    return {"CHAT_DATABASE_URL": url, **shared_site_env(secret, settings.uploads_dir)}


def move(site: Site, url: str, *extra: str) -> subprocess.CompletedProcess:
    return run_cli(site.settings.data_dir, "migrate-to-postgres", "--to", url, *extra, timeout=180)


def database_of(url: str) -> str:
    return url.rsplit("/", 1)[1]


def table_lines(stdout: str) -> dict[str, str]:
    """The verification table: table name -> its line."""
    lines = stdout.split("\ntable ", 1)[1].splitlines()[1:]
    return {line.split()[0]: line for line in lines if "  " in line and not line.startswith("mov")}


async def history(base: str, person: Person, room: dict) -> list[str]:
    """Every message of the room, newest first, through the simple dialect's history
    (GET /api/chat/messages?room_id=&before=, 100 a page)."""
    texts: list[str] = []
    before = None
    async with aiohttp.ClientSession() as http:
        while True:
            params = {"room_id": str(room["id"]), "limit": "100"}
            if before:
                params["before"] = before
            async with http.get(
                f"{base}/api/chat/messages", params=params, headers=auth(person)
            ) as resp:
                assert resp.status == 200, await resp.text()
                page = await resp.json()
            if not page:
                return texts
            texts += [f"{m['id']} {m['sender_name']}: {m['content']}" for m in reversed(page)]
            before = min((m["id"] for m in page), key=int)


def auth(person: Person) -> dict:
    return {"Authorization": f"Bearer {person.token}"}


async def test_a_site_moves_verified_and_a_server_on_postgres_serves_its_history(site, pg_cluster):
    on_sqlite = ServerProcess(site.settings.data_dir).start()
    try:
        served_before = await history(on_sqlite.base, site.alice, site.room)
    finally:
        on_sqlite.stop()
    url = pg_cluster.fresh_database(empty=True)
    done = await asyncio.to_thread(move, site, url)
    assert done.returncode == 0, done.stdout + done.stderr
    lines = table_lines(done.stdout)
    assert {"users", "messages", "reactions", "message_edits", "threads", "uploads"} <= set(lines)
    assert {"api_tokens", "hooks", "audit_log", "pins", "rooms", "memberships"} <= set(lines)
    assert not any(name.startswith(("messages_fts", "sqlite_")) for name in lines)
    assert all(line.endswith("same") for line in lines.values()), done.stdout
    assert lines["messages"].split()[1] == lines["messages"].split()[2]
    assert int(lines["messages"].split()[1]) > BULK
    name = database_of(url)
    assert pg_cluster.sql(f"SELECT to_regclass('{SQLITE_MOVE}') IS NULL", name).strip() == "t"

    again = await asyncio.to_thread(move, site, url)  # now it holds a site: refused
    assert again.returncode == 1 and "already holds a Teahouse site" in again.stderr

    # The old tokens still sign in (same data directory, same secret), and the history
    # a server on PostgreSQL serves is the site's.
    server = ServerProcess(site.settings.data_dir, **on_postgres(site, url)).start()
    try:
        served = await history(server.base, site.alice, site.room)
        async with aiohttp.ClientSession() as http:
            async with http.post(
                f"{server.base}/api/chat/rooms/{site.room['id']}/messages/",
                json={"content": "first message on PostgreSQL"},
                headers=auth(site.alice),
            ) as resp:
                assert resp.status == 201, await resp.text()
    finally:
        server.stop()
    assert served == served_before and len(served) > BULK
    assert any(line.endswith("alice: second draft") for line in served)
    assert any(line.endswith("alice: 部署 399") for line in served)
    assert any(line.endswith("build 42 passed") for line in served)
    newest = pg_cluster.sql("SELECT id, content FROM messages ORDER BY id DESC LIMIT 2", name)
    (new_id, new_text), (old_id, _) = (line.split("|") for line in newest.splitlines())
    assert new_text == "first message on PostgreSQL"
    assert int(new_id) == int(old_id) + 1  # the identity continues after the copied ids
    assert pg_cluster.sql("SELECT COUNT(*) FROM reactions", name).strip() == "2"
    # SQLite's AUTOINCREMENT remembered the revoked token's id; PostgreSQL does too.
    assert pg_cluster.sql("SELECT MAX(id) FROM api_tokens", name).strip() == "1"
    next_token = pg_cluster.sql("SELECT nextval(pg_get_serial_sequence('api_tokens', 'id'))", name)
    assert next_token.strip() == "3"


def interruptible() -> None:
    """Ctrl-C as in a terminal: a test worker of the full suite has been seen to hand
    its children SIGINT ignored (which a new Python keeps ignoring), and then the
    Ctrl-C stage below ran the copy to its end."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def spawn_move(site: Site, url: str) -> subprocess.Popen:
    """The command running in batches of 5 rows, to be interrupted."""
    return subprocess.Popen(
        [sys.executable, "server.py", "--data-dir", str(site.settings.data_dir)]
        + ["migrate-to-postgres", "--to", url, "--batch", "5"],
        preexec_fn=interruptible,
        cwd=ROOT, env=clean_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL, text=True,
    )  # fmt: skip


async def test_a_copy_killed_mid_way_resumes_without_duplicates_and_verifies(site, pg_cluster):
    url = pg_cluster.fresh_database(empty=True)
    name = database_of(url)
    process = spawn_move(site, url)
    try:
        for line in process.stdout:
            if line.startswith("copied memberships"):
                break  # messages come next: BULK / 5 batches, a commit each
        process.send_signal(signal.SIGKILL)
    finally:
        process.communicate(timeout=30)
    progress = pg_cluster.sql(f"SELECT table_name, done FROM {SQLITE_MOVE}", name).splitlines()
    assert "memberships|1" in progress and "threads|0" in progress, progress
    copied = int(pg_cluster.sql("SELECT COUNT(*) FROM messages", name))
    assert copied < BULK  # killed during or before the messages

    # A Ctrl-C next: one line and exit 130, the batch in flight rolled back.
    process = spawn_move(site, url)
    assert process.stdout.readline().startswith("resuming the copy")
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 130, out + err
    assert "run the same command again to resume" in err and "Traceback" not in err

    # The target named by CHAT_DATABASE_URL this time (no password on the command line).
    done = await asyncio.to_thread(
        run_cli, site.settings.data_dir, "migrate-to-postgres", timeout=180,
        **on_postgres(site, url),
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "resuming the copy" in done.stdout
    lines = table_lines(done.stdout)
    assert all(line.endswith("same") for line in lines.values()), done.stdout
    count_in_pg = int(pg_cluster.sql("SELECT COUNT(*) FROM messages", name))
    assert count_in_pg == int(lines["messages"].split()[1]) > BULK


async def test_a_database_holding_something_else_is_refused_untouched(site, pg_cluster):
    url = pg_cluster.fresh_database(empty=True)
    name = database_of(url)
    pg_cluster.sql(
        "CREATE TABLE invoices (id INT PRIMARY KEY); INSERT INTO invoices VALUES (7)", name
    )
    done = await asyncio.to_thread(move, site, url)
    assert done.returncode == 1
    assert "not a Teahouse site's (invoices)" in done.stderr and "Traceback" not in done.stderr
    tables = pg_cluster.sql("SELECT tablename FROM pg_tables WHERE schemaname = 'public'", name)
    assert tables.split() == ["invoices"]
    assert pg_cluster.sql("SELECT id FROM invoices", name).strip() == "7"
    nowhere = await asyncio.to_thread(move, site, "postgresql://teahouse@127.0.0.1:1/none")
    assert nowhere.returncode == 1 and "cannot connect to postgresql://127.0.0.1:1/none" in (
        nowhere.stderr
    )
    missing = await asyncio.to_thread(move, site, pg_cluster.url("no_such_database"))
    assert missing.returncode == 1 and '"no_such_database" does not exist' in missing.stderr
    assert "Traceback" not in missing.stderr
    unnamed = await asyncio.to_thread(run_cli, site.settings.data_dir, "migrate-to-postgres")
    assert unnamed.returncode == 1 and "name the target database" in unnamed.stderr


async def test_the_command_refuses_while_a_server_runs_on_the_site(site, pg_cluster):
    import os

    fd = hold_server_lock(site.settings)  # what a running server holds
    try:
        done = await asyncio.to_thread(move, site, pg_cluster.fresh_database(empty=True))
    finally:
        os.close(fd)
    assert done.returncode == 1 and "server is running" in done.stderr


async def test_a_tampered_row_is_found_by_verification(site, pg_cluster):
    url = pg_cluster.fresh_database(empty=True)
    name = database_of(url)

    def tamper_once_copied(line: str) -> None:
        """Between a table's copy and the verification at the end."""
        if line.startswith("copied messages"):
            pg_cluster.sql("UPDATE messages SET content = 'forged' WHERE id = 2", name)
        if line.startswith("copied reactions"):
            pg_cluster.sql("DELETE FROM reactions WHERE emoji = '🍵'", name)

    result = await move_to_postgres(site.settings, url, 50, tamper_once_copied)
    assert not result.same
    different = {check.table for check in result.checks if not check.same}
    assert different == {"messages", "reactions"}
    reactions = next(check for check in result.checks if check.table == "reactions")
    assert (reactions.sqlite_rows, reactions.postgres_rows) == (2, 1)
    # The bookkeeping stays, so running the command again checks again (and fails again).
    again = await asyncio.to_thread(move, site, url)
    assert again.returncode == 1 and "verification FAILED" in again.stderr
    assert "DIFFERENT" in table_lines(again.stdout)["messages"]
    assert pg_cluster.sql(f"SELECT COUNT(*) FROM {SQLITE_MOVE}", name).strip() != "0"


async def test_a_value_postgresql_cannot_take_is_named_without_a_traceback(site, pg_cluster):
    source = sqlite3.connect(site.settings.database_path)
    with source:  # SQLite keeps text in an INTEGER column; PostgreSQL does not
        source.execute("UPDATE users SET token_version = 'seven' WHERE username = 'bob'")
    source.close()
    url = pg_cluster.fresh_database(empty=True)
    with pytest.raises(MoveRefused, match="users.token_version holds 'seven'"):
        await move_to_postgres(site.settings, url, say=lambda line: None)


def test_tables_follow_the_tables_they_reference_and_a_circle_is_refused():
    references = [
        ("messages", "rooms"), ("reactions", "messages"), ("reactions", "users"),
        ("rooms", "users"), ("messages", "messages"),  # a reply: left to the ids' order
    ]  # fmt: skip
    order = foreign_key_order(["reactions", "messages", "users", "rooms"], references)
    assert order == ["users", "rooms", "messages", "reactions"]
    with pytest.raises(MoveRefused, match="circle"):
        foreign_key_order(["a", "b"], [("a", "b"), ("b", "a")])


def test_a_row_digest_reads_a_whole_float_as_its_integer_and_nothing_else_alike():
    def digest(*rows) -> str:
        found = RowDigest()
        found.add(rows)
        return found.hexdigest()

    assert digest((1, 3, "部署", None)) == digest((1, 3.0, "部署", None))
    assert digest((1, 3)) != digest((1, "3"))
    assert digest((1, 0.5)) != digest((1, 0))
    assert digest((1, b"\x00")) != digest((1, "00")) != digest((1, None))
    assert digest((1,), (2,)) != digest((2,), (1,))  # the order of the rows counts


def test_help_documents_the_command():
    done = subprocess.run(
        [sys.executable, "server.py", "migrate-to-postgres", "--help"],
        cwd=ROOT, env=clean_env(), capture_output=True, text=True, timeout=30,
    )  # fmt: skip
    assert done.returncode == 0 and "--to URL" in done.stdout and "--batch" in done.stdout
    listed = subprocess.run(
        [sys.executable, "server.py", "--help"],
        cwd=ROOT, env=clean_env(), capture_output=True, text=True, timeout=30,
    )  # fmt: skip
    assert "migrate-to-postgres" in listed.stdout  # the commands' list names it
