"""Retention: messages and their files older than N days go, per room and site-wide,
default off; the room setting is a room admin's; the server runs it by itself."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta

import pytest

from chat.app import create_app
from chat.clock import iso_utc, now
from chat.core.site import retention
from chat.db import search_index
from chat.keys import core_key
from tests.helpers import assert_error, make_room, post_message, register
from tests.pgcluster import both_engines
from tests.test_uploads import png, upload


async def set_retention(client, person, room, days):
    return await client.put(
        f"/api/chat/rooms/{room['id']}/retention/",
        json={"retention_days": days},
        headers=person.headers,
    )


async def contents(client, person, room) -> list[str]:
    resp = await client.get(
        f"/api/chat/rooms/{room['id']}/messages/?page_size=100", headers=person.headers
    )
    assert resp.status == 200, await resp.text()
    return [m["content"] for m in (await resp.json())["messages"] if m["message_type"] != "system"]


async def backdate(core, message_id: int, days: float) -> None:
    async def job(conn):
        await conn.execute(
            "UPDATE messages SET created_at = ? WHERE id = ?",
            (iso_utc(now() - timedelta(days=days)), message_id),
        )

    await core.db.write(job)


async def test_nothing_is_ever_deleted_by_default(client, core, alice):
    room = await make_room(client, alice)
    await post_message(client, alice, room, "kept forever")
    purged = await retention.purge_expired(core, at=now() + timedelta(days=36500))
    assert purged.messages == 0 and await contents(client, alice, room) == ["kept forever"]


@both_engines
async def test_a_room_s_retention_deletes_only_its_old_messages_and_their_files(
    client, core, settings, alice, bob
):
    short = await make_room(client, alice, name="short")
    other = await make_room(client, alice, name="other")
    assert (await set_retention(client, alice, short, 10)).status == 200
    old = await post_message(client, alice, short, "old secret plan")
    file_url = (
        await (
            await upload(client, alice, "cat.png", png(), "image/png", room=str(short["id"]))
        ).json()
    )["file_url"]
    reply = await client.post(
        f"/api/chat/rooms/{short['id']}/messages/",
        json={"content": "a newer reply", "reply_to": old["id"]},
        headers=alice.headers,
    )
    assert reply.status == 201
    await post_message(client, alice, other, "old but in a room that keeps everything")
    for message_id in (old["id"], (await reply.json())["id"] - 1):  # the text and the file
        await backdate(core, message_id, 11)
    await backdate(core, (await reply.json())["id"] + 1, 11)  # the other room's message

    assert (await retention.purge_expired(core, at=now() - timedelta(days=2))).messages == 0
    purged = await retention.purge_expired(core)
    assert (purged.messages, purged.files) == (2, 1)
    assert await contents(client, alice, short) == ["a newer reply"]
    assert await contents(client, alice, other) == ["old but in a room that keeps everything"]
    assert (await client.get(file_url, headers=alice.headers)).status == 404
    assert list((settings.chat_uploads_dir).iterdir()) == []
    search = await client.get("/api/chat/search/?q=secret plan", headers=alice.headers)
    assert search.status == 200 and (await search.json())["results"] == []


async def test_a_pending_scheduled_reply_outlives_the_message_it_answers(client, core, alice):
    room = await make_room(client, alice, name="planned")
    assert (await set_retention(client, alice, room, 10)).status == 200
    old = await post_message(client, alice, room, "old question")
    send_at = iso_utc(now() + timedelta(days=1))
    resp = await client.post(
        f"/api/chat/rooms/{room['id']}/scheduled/",
        headers=alice.headers,
        json={"content": "the answer, tomorrow", "send_at": send_at, "reply_to": old["id"]},
    )
    assert resp.status == 201, await resp.text()
    await backdate(core, old["id"], 11)
    assert (await retention.purge_expired(core)).messages == 1
    resp = await client.get("/api/chat/scheduled/", headers=alice.headers)
    pending = await resp.json()
    assert [(s["content"], s["reply_to"]) for s in pending] == [("the answer, tomorrow", None)]


async def test_the_site_limit_is_a_ceiling_a_room_can_only_shorten(aiohttp_client, settings):
    client = await aiohttp_client(create_app(replace(settings, retention_days=30)))
    core = client.server.app[core_key]
    alice = await register(client, "alice")
    room = await make_room(client, alice)
    body = await (
        await client.get(f"/api/chat/rooms/{room['id']}/retention/", headers=alice.headers)
    ).json()
    assert body == {
        "room_id": room["id"],
        "retention_days": None,
        "site_retention_days": 30,
        "effective_retention_days": 30,
    }
    body = await (await set_retention(client, alice, room, 365)).json()
    assert body["effective_retention_days"] == 30
    body = await (await set_retention(client, alice, room, 7)).json()
    assert body["effective_retention_days"] == 7
    message = await post_message(client, alice, room, "a week and a day old")
    await backdate(core, message["id"], 8)
    assert (await retention.purge_expired(core)).messages == 1


async def test_only_room_admins_and_site_admins_set_retention_and_values_are_checked(
    client, admin, alice, bob
):
    room = await make_room(client, alice)
    assert (
        await client.post(f"/api/chat/rooms/{room['id']}/join/", headers=bob.headers)
    ).status == 200
    await assert_error(await set_retention(client, bob, room, 1), 403, "channels")
    assert (
        await client.get(f"/api/chat/rooms/{room['id']}/retention/", headers=bob.headers)
    ).status == 200
    assert (await set_retention(client, admin, room, 5)).status == 200
    assert (await (await set_retention(client, alice, room, None)).json())["retention_days"] is None
    for bad in (0, -1, 36501, "soon", True, 1.5):
        await assert_error(await set_retention(client, alice, room, bad), 400, "channels")
    resp = await client.put(
        f"/api/chat/rooms/{room['id']}/retention/", json={}, headers=alice.headers
    )
    await assert_error(resp, 400, "channels")
    private = await make_room(client, alice, name="private", room_type="private")
    await assert_error(
        await client.get(f"/api/chat/rooms/{private['id']}/retention/", headers=bob.headers),
        403,
        "channels",
    )


@both_engines
async def test_the_server_purges_by_itself_after_it_starts(aiohttp_client, settings, monkeypatch):
    first = await aiohttp_client(create_app(settings))
    alice = await register(first, "alice")
    room = await make_room(first, alice)
    message = await post_message(first, alice, room, "from two days ago")
    await backdate(first.server.app[core_key], message["id"], 2)
    await first.close()

    monkeypatch.setattr("chat.web.chores.FIRST_RUN_SECONDS", 0.0)
    client = await aiohttp_client(create_app(replace(settings, retention_days=1)))
    for _ in range(100):  # bounded: 5 s
        if await contents(client, alice, room) == []:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the daily retention run did not happen at start")


def test_site_retention_is_off_by_default_and_checked():
    from chat.settings import SettingsError, load_settings

    assert load_settings(env={}).retention_days is None
    assert load_settings(env={"CHAT_RETENTION_DAYS": "90"}).retention_days == 90
    for bad in ("0", "-3", "ninety", "36501"):
        try:
            load_settings(env={"CHAT_RETENTION_DAYS": bad})
        except SettingsError as exc:
            assert "CHAT_RETENTION_DAYS" in str(exc)
        else:
            raise AssertionError(bad)


@pytest.mark.parametrize("indexed", [True, False])
async def test_purged_messages_leave_the_search_index_whole(client, core, alice, indexed):
    """Indexed or not yet indexed (search indexing runs after commit), a purged message
    leaves an index that passes FTS5's integrity check and no longer finds it."""
    room = await make_room(client, alice, name="short")
    assert (await set_retention(client, alice, room, 10)).status == 200
    old = await post_message(client, alice, room, "expiring launch codes")
    if indexed:
        await core.db.write(search_index.index_next_batch)
    else:
        await core.db.write(lambda conn: conn.execute("UPDATE search_indexed SET upto = 0"))
    await backdate(core, old["id"], 11)
    assert (await retention.purge_expired(core)).messages == 1
    await core.db.write(
        lambda conn: conn.execute(
            "INSERT INTO messages_fts(messages_fts) VALUES ('integrity-check')"
        )
    )
    search = await client.get("/api/chat/search/?q=launch codes", headers=alice.headers)
    assert search.status == 200 and (await search.json())["results"] == []


@both_engines
async def test_purged_messages_leave_unread_counts_as_a_recount_says(client, core, alice, bob):
    from tests.test_unread_counters import agree, listed_unread

    room = await make_room(client, alice, name="short")
    await client.post(f"/api/chat/rooms/{room['id']}/join/", headers=bob.headers)
    assert (await set_retention(client, alice, room, 10)).status == 200
    for n in range(3):
        await backdate(core, (await post_message(client, alice, room, f"old {n}"))["id"], 11)
    assert (await listed_unread(client, bob))[room["id"]] == 3
    assert (await retention.purge_expired(core)).messages >= 3
    assert (await listed_unread(client, bob))[room["id"]] == 0
    await agree(client, core, [alice, bob], [room])
