"""Deleting rooms safely (issue 24): official rooms refuse, a deleted room is gone for
everyone in every dialect but restorable by a site admin with its messages, and purged
for good after CHAT_ROOM_PURGE_DAYS (or at once, on request)."""

import asyncio
from dataclasses import replace
from datetime import timedelta

import pytest

from chat.app import create_app
from chat.clock import now
from chat.core.conversation import deleted_rooms
from chat.keys import core_key
from tests.helpers import assert_error, closed_with, make_room, next_frame, post_message, register
from tests.pgcluster import both_engines

DELETED = "/api/chat/admin/deleted-rooms/"


@pytest.fixture
async def doomed(client, alice, bob):
    """alice's room, bob a member, a message in it; then deleted by alice."""
    room = await make_room(client, alice, name="doomed plans")
    await client.post(f"/api/chat/rooms/{room['id']}/join/", headers=bob.headers)
    await post_message(client, alice, room, "keep this thought")
    resp = await client.delete(f"/api/chat/rooms/{room['id']}/", headers=alice.headers)
    assert resp.status == 200
    return room


async def ids(client, person, path) -> set:
    resp = await client.get(path, headers=person.headers)
    assert resp.status == 200, await resp.text()
    body = await resp.json()
    rows = body["rooms"] if isinstance(body, dict) and "rooms" in body else body
    return {row["id"] for row in (rows["results"] if isinstance(rows, dict) else rows)}


async def test_the_official_room_cannot_be_deleted_even_by_a_site_admin(client, admin):
    for path, dialect in (
        ("/api/chat/rooms/global/", "channels"),
        ("/api/v1/chatroom/rooms/1", "v1"),
    ):
        text = await assert_error(await client.delete(path, headers=admin.headers), 409, dialect)
        assert "archive" in text
    chinese = {**admin.headers, "Accept-Language": "zh-CN"}
    text = await assert_error(
        await client.delete("/api/chat/rooms/global/", headers=chinese), 409, "channels"
    )
    assert "归档" in text
    assert (await client.get("/api/chat/rooms/global/", headers=admin.headers)).status == 200
    official = await make_room(client, admin, name="announcements", is_official=True)
    await assert_error(
        await client.delete(f"/api/chat/rooms/{official['id']}/", headers=admin.headers),
        409,
        "channels",
    )
    resp = await client.patch(
        f"/api/chat/rooms/{official['id']}/", json={"archived": True}, headers=admin.headers
    )
    assert resp.status == 200 and (await resp.json())["is_archived"] is True


async def test_a_deleted_room_is_not_found_in_any_dialect_list_or_search(
    client, admin, bob, doomed
):
    room_id = doomed["id"]
    await assert_error(
        await client.get(f"/api/chat/rooms/{room_id}/", headers=bob.headers), 404, "channels"
    )
    await assert_error(
        await client.get(f"/api/v1/chatroom/rooms/{room_id}", headers=bob.headers), 404, "v1"
    )
    resp = await client.get(
        "/api/chat/messages", params={"room_id": doomed["slug"]}, headers=bob.headers
    )
    await assert_error(resp, 404, "simple")
    for path in ("/api/chat/rooms/", "/api/v1/chatroom/rooms", "/api/chat/rooms"):
        assert room_id not in await ids(client, bob, path)
    await asyncio.sleep(0.5)  # past the search indexer's delay
    resp = await client.get("/api/chat/search/", params={"q": "thought"}, headers=bob.headers)
    assert (await resp.json())["results"] == []
    for url in (
        f"/ws/chat/{room_id}/?token={bob.token}",
        f"/api/v1/chatroom/ws/{room_id}/{bob.token}",
    ):
        ws = await client.ws_connect(url)
        await closed_with(ws, 4004)
    assert room_id not in await ids(client, admin, "/api/chat/admin/rooms/")
    assert room_id in await ids(client, admin, DELETED)  # only there, until restored or purged


async def test_a_deleted_room_takes_its_notifications_with_it(client, admin, alice, bob):
    room = await make_room(client, alice, name="mentions")
    await client.post(f"/api/chat/rooms/{room['id']}/join/", headers=bob.headers)
    await post_message(client, alice, room, "@bob the secret plan")

    async def seen():
        listed = await (await client.get("/api/chat/notifications/", headers=bob.headers)).json()
        badge = await (
            await client.get("/api/chat/notifications/unread_count/", headers=bob.headers)
        ).json()
        return [n["content"] for n in listed], badge["unread_count"]

    assert await seen() == (["@bob the secret plan"], 1)
    await client.delete(f"/api/chat/rooms/{room['id']}/", headers=alice.headers)
    assert await seen() == ([], 0)
    await client.post(f"{DELETED}{room['id']}/restore/", headers=admin.headers)
    assert await seen() == (["@bob the secret plan"], 0)


@both_engines
async def test_a_site_admin_restores_a_deleted_room_with_its_messages(client, admin, bob, doomed):
    assert doomed["id"] not in await ids(client, admin, "/api/chat/admin/rooms/")
    listed = await (await client.get(DELETED, headers=admin.headers)).json()
    assert [(r["id"], r["message_count"]) for r in listed] == [(doomed["id"], 1)]
    assert listed[0]["deleted_at"] < listed[0]["purge_at"]
    resp = await client.post(f"{DELETED}{doomed['id']}/restore/", headers=admin.headers)
    assert resp.status == 200 and (await resp.json())["deleted_at"] is None
    assert await (await client.get(DELETED, headers=admin.headers)).json() == []
    assert doomed["id"] in await ids(client, bob, "/api/chat/rooms/")
    resp = await client.get(f"/api/chat/rooms/{doomed['id']}/messages/", headers=bob.headers)
    assert "keep this thought" in [m["content"] for m in (await resp.json())["messages"]]
    ws = await client.ws_connect(f"/ws/chat/{doomed['id']}/?token={bob.token}")
    await next_frame(ws, "connection_established")
    await ws.close()
    again = await client.post(f"{DELETED}{doomed['id']}/restore/", headers=admin.headers)
    await assert_error(again, 404, "channels")


async def test_only_site_admins_see_restore_or_purge_deleted_rooms(client, admin, alice, doomed):
    for method, path in (
        ("GET", DELETED),
        ("POST", f"{DELETED}{doomed['id']}/restore/"),
        ("DELETE", f"{DELETED}{doomed['id']}/"),
    ):
        await assert_error(await client.request(method, path), 401, "channels")
        await assert_error(
            await client.request(method, path, headers=alice.headers), 403, "channels"
        )
    for bad, status in (("abc", 400), ("0", 400), ("99999", 404)):
        resp = await client.post(f"{DELETED}{bad}/restore/", headers=admin.headers)
        await assert_error(resp, status, "channels")


async def test_deleted_rooms_are_purged_after_the_grace_period_only(client, core, admin, doomed):
    days = core.settings.room_purge_days
    assert days == 30
    assert (
        await deleted_rooms.purge_expired(core, at=now() + timedelta(days=days - 1))
    ).messages == 0
    assert len(await (await client.get(DELETED, headers=admin.headers)).json()) == 1
    purged = await deleted_rooms.purge_expired(core, at=now() + timedelta(days=days, hours=1))
    assert purged.messages == 2  # with the line saying bob joined
    for table in ("rooms WHERE id", "messages WHERE room_id", "memberships WHERE room_id"):
        rows = await core.db.fetch_all(f"SELECT COUNT(*) FROM {table} = ?", (doomed["id"],))
        assert rows[0][0] == 0, table
    resp = await client.post(f"{DELETED}{doomed['id']}/restore/", headers=admin.headers)
    await assert_error(resp, 404, "channels")


@both_engines
async def test_a_site_admin_purges_a_deleted_room_at_once_but_never_a_live_one(
    client, core, admin, alice, doomed
):
    live = await make_room(client, alice, name="alive")
    await assert_error(
        await client.delete(f"{DELETED}{live['id']}/", headers=admin.headers), 404, "channels"
    )
    resp = await client.delete(f"{DELETED}{doomed['id']}/", headers=admin.headers)
    assert await resp.json() == {"purged": True, "messages": 2, "files": 0}  # bob's join line too
    rows = await core.db.fetch_all("SELECT COUNT(*) FROM rooms WHERE id = ?", (doomed["id"],))
    assert rows[0][0] == 0
    assert (await client.get(f"/api/chat/rooms/{live['id']}/", headers=alice.headers)).status == 200


async def test_a_direct_room_reopened_since_is_not_restored_twice(client, admin, alice, bob):
    first = await (
        await client.post("/api/chat/direct/", json={"username": "bob"}, headers=alice.headers)
    ).json()
    assert (
        await client.delete(f"/api/chat/rooms/{first['id']}/", headers=admin.headers)
    ).status == 200
    second = await (
        await client.post("/api/chat/direct/", json={"username": "bob"}, headers=alice.headers)
    ).json()
    assert second["id"] != first["id"]
    resp = await client.post(f"{DELETED}{first['id']}/restore/", headers=admin.headers)
    await assert_error(resp, 409, "channels")


async def test_the_server_purges_old_deleted_rooms_by_itself(aiohttp_client, settings, monkeypatch):
    first = await aiohttp_client(create_app(settings))
    alice = await register(first, "alice")
    room = await make_room(first, alice)
    await first.delete(f"/api/chat/rooms/{room['id']}/", headers=alice.headers)

    async def long_ago(conn):
        await conn.execute(
            "UPDATE rooms SET deleted_at = '2000-01-01T00:00:00.000Z' WHERE id = ?", (room["id"],)
        )

    await first.server.app[core_key].db.write(long_ago)
    await first.close()

    monkeypatch.setattr("chat.web.chores.FIRST_RUN_SECONDS", 0.0)
    client = await aiohttp_client(create_app(replace(settings, room_purge_days=1)))
    core = client.server.app[core_key]
    for _ in range(100):  # bounded: 5 s
        rows = await core.db.fetch_all("SELECT COUNT(*) FROM rooms WHERE id = ?", (room["id"],))
        if rows[0][0] == 0:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the daily chores did not purge the old deleted room")


def test_the_grace_period_is_a_checked_setting():
    from chat.settings import SettingsError, load_settings

    assert load_settings(env={}).room_purge_days == 30
    assert load_settings(env={"CHAT_ROOM_PURGE_DAYS": "7"}).room_purge_days == 7
    with pytest.raises(SettingsError, match="CHAT_ROOM_PURGE_DAYS"):
        load_settings(env={"CHAT_ROOM_PURGE_DAYS": "0"})
