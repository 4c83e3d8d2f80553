"""Reading the audit log: site admins only, filtered, keyset-paged, exported as CSV
and JSON lines, never changed through any API; the retention purge, the log stream,
and the command line's entries."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import logging
import sqlite3
import sys
from datetime import timedelta

import pytest

from chat.app import create_app
from chat.clock import iso_utc, now
from chat.core.site import audit
from chat.settings import Settings
from tests.audit_helpers import AUDIT, entries, the_entry
from tests.helpers import NO_RATE_LIMITS, assert_error, make_room, register
from tests.pgcluster import both_engines
from tests.serverproc import ROOT, clean_env


async def sign_in(client, username: str, password: str = "correct horse", agent: str = "t"):
    return await client.post(
        "/api/auth/login",
        json={"username": username, "password": password},
        headers={"User-Agent": agent},
    )


async def test_only_site_admins_read_or_export_it(client, admin, alice):
    await assert_error(await client.get(AUDIT, headers=alice.headers), 403, "channels")
    await assert_error(
        await client.get(AUDIT + "export/?format=csv", headers=alice.headers), 403, "channels"
    )
    await assert_error(await client.get(AUDIT), 401, "channels")


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE", "POST"])
async def test_no_api_changes_an_entry(client, admin, method):
    await sign_in(client, "admin")
    [entry] = await entries(client, admin, action="sign_in")
    for path in (AUDIT, f"{AUDIT}{entry['id']}/", AUDIT + "export/"):
        resp = await client.request(method, path, json={"action": "nothing"}, headers=admin.headers)
        assert resp.status in (404, 405), (method, path, resp.status)
    assert await entries(client, admin, action="sign_in") == [entry]


async def test_not_even_sql_changes_an_entry(client, core, admin):
    await sign_in(client, "admin")

    async def job(conn):
        await conn.execute("UPDATE audit_log SET actor_name = 'someone else'")

    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        await core.db.write(job)


async def test_filters_by_actor_action_target_and_dates(client, admin, alice, bob):
    await make_room(client, alice, name="Plans")
    await make_room(client, bob, name="Other")
    await sign_in(client, "bob")
    assert [e["target_name"] for e in await entries(client, admin, actor="ALICE")] == ["Plans"]
    assert [e["actor_name"] for e in await entries(client, admin, target="plans")] == ["alice"]
    assert [e["actor_name"] for e in await entries(client, admin, action="sign_in")] == ["bob"]
    today = now().date()
    assert len(await entries(client, admin, since=str(today), until=str(today))) == 3
    assert await entries(client, admin, until=str(today - timedelta(days=1))) == []
    assert await entries(client, admin, since=iso_utc(now() + timedelta(minutes=1))) == []
    for bad in (
        {"action": "made_up"},
        {"since": "yesterday"},
        {"until": "2024-01-01T00:00:00"},
        {"before": "x"},
        {"limit": "0"},
        {"actor": "x" * 201},
    ):
        await assert_error(
            await client.get(AUDIT, params=bad, headers=admin.headers), 400, "channels"
        )


async def test_pages_follow_the_cursor_without_gaps_or_repeats(client, admin, alice):
    for number in range(7):
        await make_room(client, alice, name=f"room {number}")
    seen, before = [], None
    while True:
        params = {"limit": "3", "action": "room_created", **({"before": before} if before else {})}
        resp = await client.get(AUDIT, params=params, headers=admin.headers)
        page = await resp.json()
        seen += [e["target_name"] for e in page]
        before = resp.headers.get("X-Next-Before")
        if before is None:
            break
        assert int(before) == page[-1]["id"]
    assert seen == [f"room {n}" for n in reversed(range(7))]


@both_engines  # the export reads a snapshot of its own on either engine
async def test_csv_and_json_lines_exports(client, admin, alice):
    await make_room(client, alice, name="=HYPERLINK(1)")
    await sign_in(client, "alice", agent="-evil")
    resp = await client.get(AUDIT + "export/", params={"format": "jsonl"}, headers=admin.headers)
    assert resp.headers["Content-Type"].startswith("application/x-ndjson")
    lines = [json.loads(line) for line in (await resp.text()).splitlines()]
    assert [e["action"] for e in lines] == ["room_created", "sign_in"]  # oldest first
    resp = await client.get(
        AUDIT + "export/", params={"format": "csv", "actor": "alice"}, headers=admin.headers
    )
    assert resp.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(await resp.text())))
    assert [row["action"] for row in rows] == ["room_created", "sign_in"]
    # A spreadsheet opening it runs no formula typed in by a user.
    assert rows[0]["target_name"] == "'=HYPERLINK(1)" and rows[1]["user_agent"] == "'-evil"
    assert json.loads(rows[1]["detail"]) == {"method": "password"}
    await assert_error(
        await client.get(AUDIT + "export/?format=xml", headers=admin.headers), 400, "channels"
    )


async def test_the_retention_purge_removes_only_old_entries(client, core, admin):
    await sign_in(client, "admin")
    long_ago = now() - timedelta(days=core.settings.audit_retention_days + 1)

    async def job(conn):
        entry = audit.new_entry("old", "sign_in", None, {})
        await audit.audit_sql.insert_entry(
            conn, entry.__class__(**{**entry.__dict__, "at": iso_utc(long_ago)})
        )

    await core.db.write(job)
    assert len(await entries(client, admin)) == 2
    assert await audit.purge_expired(core) == 1
    assert [e["actor_name"] for e in await entries(client, admin)] == ["admin"]


async def test_the_log_stream_gets_one_json_line_per_committed_entry(
    aiohttp_client, tmp_path, caplog
):
    settings = Settings(data_dir=tmp_path / "data", audit_log_stream=True, **NO_RATE_LIMITS)
    client = await aiohttp_client(create_app(settings))
    admin = await register(client, "admin")
    caplog.set_level(logging.INFO, logger="teahouse.audit")
    await make_room(client, admin, name="streamed")
    await client.patch("/api/chat/rooms/999/", json={"room_type": "private"}, headers=admin.headers)
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "teahouse.audit"]
    assert [(line["action"], line["target_name"]) for line in lines] == [
        ("room_created", "streamed")
    ]
    assert lines[0]["id"] == (await the_entry(client, admin, "room_created"))["id"]


async def test_the_stream_is_off_by_default(client, admin, caplog):
    caplog.set_level(logging.INFO, logger="teahouse.audit")
    await make_room(client, admin)
    assert not [r for r in caplog.records if r.name == "teahouse.audit"]


async def cli(*args: str) -> tuple[int, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "server.py",
        *args,
        cwd=ROOT,
        env=clean_env(),
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await asyncio.wait_for(proc.communicate(), 90)
    return proc.returncode, out.decode()


def audit_rows(database) -> list[tuple]:
    conn = sqlite3.connect(database)
    try:
        return conn.execute(
            "SELECT action, actor_name, detail FROM audit_log ORDER BY id"
        ).fetchall()
    finally:
        conn.close()


@pytest.mark.slow
async def test_backup_export_and_import_on_the_command_line_are_recorded(aiohttp_client, tmp_path):
    data = tmp_path / "data"
    client = await aiohttp_client(create_app(Settings(data_dir=data, **NO_RATE_LIMITS)))
    admin = await register(client, "admin")
    await make_room(client, admin, name="kept")
    archive, export = tmp_path / "site.tar", tmp_path / "site.jsonl"
    assert (await cli("backup", str(archive), "--data-dir", str(data)))[0] == 0
    assert (await cli("export", str(export), "--data-dir", str(data)))[0] == 0
    found = await entries(client, admin)
    assert [(e["action"], e["actor_name"]) for e in found[:2]] == [
        ("export", "cli"),
        ("backup_started", "cli"),
    ]
    assert found[1]["detail"]["file"] == str(archive) and found[1]["detail"]["os_user"]
    # The export is a site's content, not its audit log.
    assert "audit" not in export.read_text() and "backup_started" not in export.read_text()
    # The backup holds the log, its own entry included.
    restored = tmp_path / "restored"
    code, out = await cli("restore", str(archive), "--data-dir", str(restored))
    assert code == 0, out
    assert [row[0] for row in audit_rows(restored / "teahouse.db")] == [
        "room_created",
        "backup_started",
    ]
    fresh = tmp_path / "fresh"
    code, out = await cli("import", str(export), "--data-dir", str(fresh))
    assert code == 0, out
    [(action, actor, detail)] = audit_rows(fresh / "teahouse.db")
    assert (action, actor, json.loads(detail)["source"]) == ("import", "cli", "site.jsonl")
