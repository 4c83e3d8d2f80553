"""Exports: a site admin exports everything, a room admin one room, a user their own
messages, as documented JSON lines without password hashes; `server.py import` turns a
site export into a new data directory that exports the same again."""

from __future__ import annotations

import asyncio
import base64
import json
from dataclasses import replace

import pytest

from chat.ops.exporting import write_export
from chat.ops.importing import ImportFailed, import_export
from tests.helpers import assert_error, make_room, post_message
from tests.pgcluster import both_engines
from tests.test_uploads import png, upload


async def lines_of(resp) -> list[dict]:
    assert resp.status == 200, await resp.text()
    assert resp.headers["Content-Type"].startswith("application/x-ndjson")
    assert "attachment" in resp.headers["Content-Disposition"]
    return [json.loads(line) for line in (await resp.text()).splitlines()]


def of_type(records: list[dict], kind: str) -> list[dict]:
    return [r for r in records if r["type"] == kind]


@pytest.fixture
async def team(client, admin, alice, bob):
    """A small team's history: rooms, a reply, an edit, a reaction, a file, a deletion,
    a direct room."""
    room = await make_room(client, alice, name="design")
    assert (
        await client.post(f"/api/chat/rooms/{room['id']}/join/", headers=bob.headers)
    ).status == 200
    first = await post_message(client, alice, room, "first draft")
    reply = await client.post(
        f"/api/chat/rooms/{room['id']}/messages/",
        json={"content": "looks good", "reply_to": first["id"]},
        headers=bob.headers,
    )
    assert reply.status == 201
    await client.patch(
        f"/api/chat/messages/{first['id']}/",
        json={"content": "second draft"},
        headers=alice.headers,
    )
    await client.post(
        f"/api/chat/messages/{first['id']}/reactions/", json={"emoji": "👍"}, headers=bob.headers
    )
    resp = await upload(client, alice, "mock.png", png(), "image/png", room=str(room["id"]))
    assert resp.status == 200
    gone = await post_message(client, bob, room, "oops, wrong room")
    assert (
        await client.delete(f"/api/chat/messages/{gone['id']}/", headers=bob.headers)
    ).status == 200
    await post_message(client, bob, {"id": "global"}, "hello everyone")
    assert (
        await client.post("/api/chat/direct/", json={"username": "alice"}, headers=bob.headers)
    ).status in (200, 201)
    return room


@both_engines  # the export reads a snapshot of its own on either engine
async def test_the_site_export_has_everything_and_no_password_hash(client, admin, alice, bob, team):
    records = await lines_of(await client.get("/api/chat/export/", headers=admin.headers))
    text = json.dumps(records)
    assert "password" not in text and "scrypt" not in text and "last_ip" not in text
    assert records[0]["type"] == "export" and records[0]["scope"] == "site"
    assert records[-1] == {
        "type": "end",
        "counts": {
            "users": 3,
            "rooms": 3,
            "memberships": len(of_type(records, "membership")),
            "messages": len(of_type(records, "message")),
            "uploads": 1,
        },
    }
    assert {(m["room_id"], m["user_id"]) for m in of_type(records, "membership")} >= {
        (team["id"], alice.id),
        (team["id"], bob.id),
    }
    assert {u["username"] for u in of_type(records, "user")} == {"admin", "alice", "bob"}
    messages = {m["content"]: m for m in of_type(records, "message")}
    assert messages["second draft"]["edits"][0]["previous_content"] == "first draft"
    assert messages["second draft"]["reactions"][0]["emoji"] == "👍"
    assert messages["looks good"]["reply_to"] == messages["second draft"]["id"]
    assert [m["sender_id"] for m in messages.values() if m["is_deleted"]] == [bob.id]  # flagged
    chunks = of_type(records, "file_chunk")
    assert b"".join(base64.b64decode(c["data"]) for c in chunks) == png()
    assert any(r["room_type"] == "direct" for r in of_type(records, "room"))


async def test_only_a_site_admin_exports_the_site(client, alice):
    await assert_error(
        await client.get("/api/chat/export/", headers=alice.headers), 403, "channels"
    )
    assert (await client.get("/api/chat/export/")).status == 401


async def test_a_room_admin_exports_their_room_and_a_member_cannot(client, alice, bob, team):
    records = await lines_of(
        await client.get(f"/api/chat/rooms/{team['id']}/export/", headers=alice.headers)
    )
    assert {r["id"] for r in of_type(records, "room")} == {team["id"]}
    contents = {m["content"] for m in of_type(records, "message")}
    assert "second draft" in contents and "hello everyone" not in contents
    assert "oops, wrong room" not in contents  # deleted messages stay deleted
    assert len(of_type(records, "upload")) == 1
    await assert_error(
        await client.get(f"/api/chat/rooms/{team['id']}/export/", headers=bob.headers),
        403,
        "channels",
    )


async def test_a_user_exports_only_their_own_messages(client, bob, team):
    records = await lines_of(await client.get("/api/chat/me/export/", headers=bob.headers))
    assert {m["sender_id"] for m in of_type(records, "message")} == {bob.id}
    assert {m["content"] for m in of_type(records, "message")} == {"looks good", "hello everyone"}
    assert [u["username"] for u in of_type(records, "user")] == ["bob"]
    assert of_type(records, "upload") == []


async def test_exports_beyond_the_running_few_are_told_to_wait(client, core, bob):
    async with core.export_slots, core.export_slots:
        await assert_error(
            await client.get("/api/chat/me/export/", headers=bob.headers), 429, "channels"
        )
    assert (await lines_of(await client.get("/api/chat/me/export/", headers=bob.headers)))[-1][
        "type"
    ] == "end"


def comparable(path) -> list[dict]:
    records = [json.loads(line) for line in path.read_text().splitlines()]
    assert records[0]["type"] == "export"
    return records[1:]


async def test_export_import_export_gives_the_same_records(client, settings, team, tmp_path):
    first, second = tmp_path / "first.jsonl", tmp_path / "second.jsonl"
    counts = await write_export(settings, first)
    assert counts["messages"] >= 5 and counts["uploads"] == 1
    imported = replace(settings, data_dir=tmp_path / "imported")
    assert await asyncio.to_thread(import_export, imported, first) == counts
    await write_export(imported, second)
    assert comparable(second) == comparable(first)
    assert (imported.chat_uploads_dir.stat().st_mode & 0o077) == 0


async def test_a_damaged_or_partial_export_leaves_the_directory_empty(
    client, settings, team, tmp_path
):
    good = tmp_path / "good.jsonl"
    await write_export(settings, good)
    lines = good.read_text().splitlines()
    damaged = [json.loads(line) for line in lines]
    for item in damaged:
        if item["type"] == "file_chunk":
            item["data"] = base64.b64encode(b"not the picture").decode()
    cases = {
        "damaged": "\n".join(json.dumps(i) for i in damaged),
        "truncated": "\n".join(lines[:-1]),
        "garbage": "hello\n",
    }
    for name, text in cases.items():
        (tmp_path / f"{name}.jsonl").write_text(text)
        target = replace(settings, data_dir=tmp_path / name)
        with pytest.raises(ImportFailed):
            await asyncio.to_thread(import_export, target, tmp_path / f"{name}.jsonl")
        assert not target.database_path.exists(), name
        assert not any(p.is_file() for p in target.uploads_dir.rglob("*")), name
    with pytest.raises(ImportFailed, match="already holds a database"):
        await asyncio.to_thread(import_export, settings, good)
