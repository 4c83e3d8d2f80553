"""Threads survive an export and import round trip, and a Slack export's thread_ts
becomes threads (issue 28)."""

from __future__ import annotations

import asyncio
import sqlite3
from dataclasses import replace

import aiosqlite

from chat.app import create_app
from chat.core.people import accounts
from chat.core.site import retention
from chat.db.migrate import available_migrations, migrate
from chat.keys import core_key
from chat.ops.exporting import write_export
from chat.ops.importing import import_export
from chat.ops.slack import import_slack
from tests.helpers import make_room, post_message
from tests.test_retention import backdate, set_retention
from tests.test_slack_import import slack_zip
from tests.threadkit import join, reply, room_unread

ROOT_TS = "1700000300.000100"
STAMP = "2026-01-01T00:00:00.000Z"
THREADED_DAY1 = [
    {"type": "message", "user": "U1", "text": "Which font?", "ts": ROOT_TS, "thread_ts": ROOT_TS},
    {"type": "message", "user": "U2", "text": "Inter", "ts": "1700000400.0", "thread_ts": ROOT_TS},
    {"type": "message", "user": "U1", "text": "in the room too", "ts": "1700000500.0"},
]
THREADED_DAY2 = [
    {"type": "message", "user": "U1", "text": "Why?", "ts": "1700086400.0", "thread_ts": ROOT_TS},
    {
        "type": "message",
        "subtype": "thread_broadcast",
        "user": "U2",
        "text": "Decided: Inter",
        "ts": "1700086500.0",
        "thread_ts": ROOT_TS,
    },
]


async def get(client, headers, path, **query) -> dict:
    resp = await client.get(path, params=query, headers=headers)
    assert resp.status == 200, await resp.text()
    return await resp.json()


async def test_a_slack_exports_thread_ts_become_threads(aiohttp_client, settings, tmp_path):
    slack_zip(
        tmp_path / "slack.zip",
        **{"design/2023-11-14.json": THREADED_DAY1, "design/2023-11-15.json": THREADED_DAY2},
    )
    await asyncio.to_thread(import_slack, settings, tmp_path / "slack.zip")
    client = await aiohttp_client(create_app(settings))
    core = client.server.app[core_key]
    alice = {"Authorization": f"Bearer {await accounts.token_for(core, 'alice')}"}
    rooms = await get(client, alice, "/api/chat/rooms/")
    design = next(r for r in rooms if r["name"] == "design")
    timeline = await get(client, alice, f"/api/chat/rooms/{design['id']}/timeline/")
    said = [m["content"] for m in timeline["messages"]]
    assert said == ["Which font?", "in the room too", "Decided: Inter"]
    root = timeline["messages"][0]
    page = await get(client, alice, f"/api/chat/threads/{root['id']}/messages/")
    assert [m["content"] for m in page["results"]] == ["Inter", "Why?", "Decided: Inter"]
    assert all(m["thread_id"] == root["id"] for m in page["results"])
    assert [m["thread_only"] for m in page["results"]] == [True, True, False]
    assert page["thread"]["reply_count"] == 3
    assert [u["username"] for u in page["thread"]["last_repliers"]] == ["bob", "alice"]
    # who started or replied follows, with the imported past read
    assert page["follow"]["following"] and page["follow"]["unread_count"] == 0
    bob = {"Authorization": f"Bearer {await accounts.token_for(core, 'bob')}"}
    view = await get(client, bob, "/api/chat/threads/")
    assert [e["root"]["id"] for e in view["results"]] == [root["id"]]


async def test_threads_survive_an_export_and_import(
    aiohttp_client, client, settings, alice, bob, tmp_path
):
    room = await make_room(client, alice)
    await join(client, bob, room)
    root = await post_message(client, alice, room, "root")
    first = await reply(client, bob, root["id"], "quiet reply")
    loud = await reply(client, alice, first["id"], "loud reply", also_to_room=True)
    exported = tmp_path / "site.jsonl"
    await write_export(settings, exported)
    imported = replace(settings, data_dir=tmp_path / "imported")
    await asyncio.to_thread(import_export, imported, exported)
    second = tmp_path / "again.jsonl"
    await write_export(imported, second)
    assert second.read_text().splitlines()[1:] == exported.read_text().splitlines()[1:]

    other = await aiohttp_client(create_app(imported))
    core = other.server.app[core_key]
    headers = {"Authorization": f"Bearer {await accounts.token_for(core, 'bob')}"}
    page = await get(other, headers, f"/api/chat/threads/{root['id']}/messages/")
    assert [(m["id"], m["thread_only"]) for m in page["results"]] == [
        (first["id"], True),
        (loud["id"], False),
    ]
    assert page["thread"]["reply_count"] == 2
    timeline = await get(other, headers, f"/api/chat/rooms/{room['id']}/timeline/")
    assert first["id"] not in [m["id"] for m in timeline["messages"]]


async def test_a_purged_root_leaves_its_newer_replies_in_the_timeline_counted(
    client, core, alice, bob
):
    room = await make_room(client, alice, name="short")
    await join(client, bob, room)
    assert (await set_retention(client, alice, room, 10)).status == 200
    root = await post_message(client, alice, room, "old root")
    kept = await reply(client, alice, root["id"], "a newer reply")
    await backdate(core, root["id"], 11)
    assert (await retention.purge_expired(core)).messages == 1
    timeline = await (
        await client.get(f"/api/chat/rooms/{room['id']}/timeline/", headers=bob.headers)
    ).json()
    [said] = [m for m in timeline["messages"] if m["message_type"] != "system"]
    assert (said["id"], said["thread_id"], said["thread_only"]) == (kept["id"], None, False)
    assert await room_unread(client, bob, room) == 1
    resp = await client.get(f"/api/chat/threads/{root['id']}/messages/", headers=bob.headers)
    assert resp.status == 404


async def test_an_older_data_directorys_replies_become_threads_on_upgrade(tmp_path):
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path, isolation_level=None)
    for number, script in available_migrations():
        if number <= 20:
            conn.executescript(script.read_text(encoding="utf-8"))
    conn.executescript(
        f"""PRAGMA user_version = 20;
        INSERT INTO users (id, username, username_key, created_at, updated_at)
            VALUES (1, 'ann', 'ann', '{STAMP}', '{STAMP}'), (2, 'ben', 'ben', '{STAMP}', '{STAMP}');
        INSERT INTO rooms (id, slug, name, room_type, created_at, updated_at)
            VALUES (9, 'r', 'r', 'public', '{STAMP}', '{STAMP}');
        INSERT INTO messages (id, room_id, sender_id, content, reply_to, created_at, updated_at)
            VALUES (1, 9, 1, 'root', NULL, '{STAMP}', '{STAMP}'),
                   (2, 9, 2, 'reply', 1, '{STAMP}', '{STAMP}'),
                   (3, 9, 1, 'reply to the reply', 2, '{STAMP}', '{STAMP}'),
                   (4, 9, 2, 'on its own', NULL, '{STAMP}', '{STAMP}');"""
    )
    conn.close()
    async with aiosqlite.connect(path) as db:
        await migrate(db)
        rows = await db.execute_fetchall("SELECT id, thread_id, thread_only FROM messages")
        assert [tuple(r) for r in rows] == [(1, None, 0), (2, 1, 0), (3, 1, 0), (4, None, 0)]
        rows = await db.execute_fetchall("SELECT root_id, reply_count, last_reply_id FROM threads")
        assert [tuple(r) for r in rows] == [(1, 2, 3)]
        rows = await db.execute_fetchall(
            "SELECT user_id, seen_count, last_read_id FROM thread_follows ORDER BY user_id"
        )
        assert [tuple(r) for r in rows] == [(1, 2, 3), (2, 2, 3)]
