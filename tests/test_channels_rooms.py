"""Channels rooms (seeds 002/004): create, list, detail, join, leave, members, delete."""

from __future__ import annotations

import pytest

from chat.db import memberships as membership_sql
from chat.db import rooms as room_sql
from tests.helpers import assert_error, closed_with, next_frame

USER_FIELDS = {"id", "username", "first_name", "last_name"}


async def create_room(client, person, **body) -> dict:
    body.setdefault("name", "dev")
    resp = await client.post("/api/chat/rooms/", json=body, headers=person.headers)
    assert resp.status == 201, await resp.text()
    return await resp.json()


async def invite(core, room_id: int, person, by) -> None:
    """The native invite endpoint is another module's; its table is what join reads."""

    async def job(conn):
        await membership_sql.insert_invitation(conn, room_id, person.id, by.id)

    await core.db.write(job)


async def room_list(client, person) -> list[dict]:
    resp = await client.get("/api/chat/rooms/", headers=person.headers)
    assert resp.status == 200
    return await resp.json()


async def test_creating_a_room_answers_201_with_the_seed_fields(client, alice):
    room = await create_room(
        client, alice, name="  开发讨论 ", description="团队", room_type="group", max_members=7
    )
    assert room["name"] == "开发讨论"
    assert room["description"] == "团队"
    assert room["room_type"] == "group"
    assert room["max_members"] == 7
    assert room["member_count"] == 1
    assert room["is_active"] is True
    assert room["is_official"] is False
    assert room["slug"].startswith("room_") and len(room["slug"]) == 13
    assert USER_FIELDS <= set(room["created_by"])
    assert room["created_by"]["first_name"] == "Alice"
    assert room["created_by"]["last_name"] == "Liddell"
    assert room["created_at"].endswith("Z") and room["updated_at"].endswith("Z")


async def test_max_members_defaults_to_50_and_the_type_to_public(client, alice):
    room = await create_room(client, alice)
    assert room["max_members"] == 50
    assert room["room_type"] == "public"


@pytest.mark.parametrize(
    "body",
    [
        {"name": ""},
        {"name": "   "},
        {"name": "x" * 101},
        {"description": "d"},
        {"name": 5},
        {"name": "ok", "description": "d" * 501},
        {"name": "ok", "room_type": "direct"},
        {"name": "ok", "room_type": "secret"},
        {"name": "ok", "max_members": 1},
        {"name": "ok", "max_members": "many"},
        {"name": "ok", "is_official": "yes"},
    ],
)
async def test_invalid_room_bodies_are_refused_with_400(client, alice, body):
    resp = await client.post("/api/chat/rooms/", json=body, headers=alice.headers)
    await assert_error(resp, 400, "channels")


async def test_a_body_that_is_not_json_is_a_400(client, alice):
    resp = await client.post("/api/chat/rooms/", data=b"name=dev", headers=alice.headers)
    await assert_error(resp, 400, "channels")


async def test_only_site_admins_create_official_rooms(client, admin, alice):
    resp = await client.post(
        "/api/chat/rooms/", json={"name": "news", "is_official": True}, headers=alice.headers
    )
    await assert_error(resp, 403, "channels")
    room = await create_room(client, admin, name="news", is_official=True)
    assert room["is_official"] is True


@pytest.mark.parametrize(
    "method,path",
    [
        ("GET", "/api/chat/rooms/"),
        ("POST", "/api/chat/rooms/"),
        ("GET", "/api/chat/rooms/1/"),
        ("POST", "/api/chat/rooms/1/join/"),
        ("POST", "/api/chat/rooms/1/leave/"),
        ("GET", "/api/chat/rooms/1/members/"),
        ("GET", "/api/chat/rooms/1/messages/"),
        ("POST", "/api/chat/rooms/1/messages/"),
        ("POST", "/api/chat/messages/1/read/"),
        ("DELETE", "/api/chat/messages/1/delete/"),
        ("DELETE", "/api/chat/rooms/1/"),
        ("GET", "/api/chat/notifications/"),
        ("POST", "/api/chat/notifications/1/read/"),
    ],
)
async def test_every_endpoint_wants_a_token(client, method, path):
    resp = await client.request(method, path, json={})
    await assert_error(resp, 401, "channels")
    resp = await client.request(
        method, path, json={}, headers={"Authorization": "Bearer not.a.token"}
    )
    await assert_error(resp, 401, "channels")


async def test_the_room_list_shows_public_rooms_and_ones_own(client, alice, bob):
    public = await create_room(client, alice, name="open")
    private = await create_room(client, alice, name="secret", room_type="private")
    group = await create_room(client, alice, name="team", room_type="group")
    alice_ids = {r["id"] for r in await room_list(client, alice)}
    bob_rooms = {r["id"]: r for r in await room_list(client, bob)}
    assert {public["id"], private["id"], group["id"]} <= alice_ids
    assert public["id"] in bob_rooms and private["id"] not in bob_rooms
    assert group["id"] not in bob_rooms
    entry = bob_rooms[public["id"]]
    assert entry["is_member"] is False and entry["unread_count"] == 0
    assert entry["member_count"] == 1
    assert USER_FIELDS <= set(entry["created_by"])
    assert any(r["slug"] == "global" and r["is_official"] for r in bob_rooms.values())


async def test_the_room_list_shows_the_last_message_with_its_sender_name(client, alice):
    room = await create_room(client, alice)
    await client.post(
        f"/api/chat/rooms/{room['id']}/messages/",
        json={"content": "大家好！"},
        headers=alice.headers,
    )
    entry = next(r for r in await room_list(client, alice) if r["id"] == room["id"])
    assert entry["last_message"]["content"] == "大家好！"
    assert entry["last_message"]["sender"] == "alice"
    assert {"id", "created_at"} <= set(entry["last_message"])


async def test_room_detail_lists_members_with_their_names(client, alice, bob):
    room = await create_room(client, alice)
    await client.post(f"/api/chat/rooms/{room['id']}/join/", headers=bob.headers)
    resp = await client.get(f"/api/chat/rooms/{room['id']}/", headers=bob.headers)
    assert resp.status == 200
    detail = await resp.json()
    assert [m["username"] for m in detail["members"]] == ["alice", "bob"]
    assert all(USER_FIELDS <= set(m) for m in detail["members"])
    assert detail["member_count"] == 2 and detail["is_member"] is True
    for key in (
        "name",
        "description",
        "room_type",
        "created_by",
        "is_active",
        "max_members",
        "created_at",
        "updated_at",
    ):
        assert key in detail


async def test_a_room_is_found_by_its_slug_too(client, alice):
    room = await create_room(client, alice)
    resp = await client.get(f"/api/chat/rooms/{room['slug']}/", headers=alice.headers)
    assert (await resp.json())["id"] == room["id"]


async def test_unknown_rooms_are_404_everywhere(client, alice):
    for method, path in [
        ("GET", "/api/chat/rooms/999/"),
        ("GET", "/api/chat/rooms/room_nothere/"),
        ("POST", "/api/chat/rooms/999/join/"),
        ("POST", "/api/chat/rooms/999/leave/"),
        ("GET", "/api/chat/rooms/999/members/"),
        ("GET", "/api/chat/rooms/999/messages/"),
        ("DELETE", "/api/chat/rooms/999/"),
        ("POST", "/api/chat/rooms/999/messages/"),
    ]:
        resp = await client.request(method, path, json={"content": "x"}, headers=alice.headers)
        await assert_error(resp, 404, "channels")


async def test_joining_a_public_room_adds_a_member_and_a_system_message(client, alice, bob):
    room = await create_room(client, alice)
    resp = await client.post(f"/api/chat/rooms/{room['id']}/join/", headers=bob.headers)
    assert resp.status == 200
    assert set(await resp.json()) == {"message"}
    resp = await client.get(f"/api/chat/rooms/{room['id']}/messages/", headers=alice.headers)
    notes = (await resp.json())["messages"]
    assert notes[-1]["message_type"] == "system"
    assert "bob" in notes[-1]["content"]


async def test_joining_twice_is_a_harmless_200(client, alice, bob):
    room = await create_room(client, alice)
    for _ in range(2):
        resp = await client.post(f"/api/chat/rooms/{room['id']}/join/", headers=bob.headers)
        assert resp.status == 200
    resp = await client.get(f"/api/chat/rooms/{room['id']}/messages/", headers=alice.headers)
    assert (await resp.json())["total"] == 1
    resp = await client.get(f"/api/chat/rooms/{room['id']}/", headers=alice.headers)
    assert (await resp.json())["member_count"] == 2


async def test_joining_a_full_room_is_a_400(client, alice, bob, make_user):
    room = await create_room(client, alice, max_members=2)
    assert (
        await client.post(f"/api/chat/rooms/{room['id']}/join/", headers=bob.headers)
    ).status == 200
    carol = await make_user("carol")
    resp = await client.post(f"/api/chat/rooms/{room['id']}/join/", headers=carol.headers)
    await assert_error(resp, 400, "channels")


async def test_a_private_room_needs_an_invitation(client, core, alice, bob):
    room = await create_room(client, alice, room_type="private")
    resp = await client.post(f"/api/chat/rooms/{room['id']}/join/", headers=bob.headers)
    await assert_error(resp, 403, "channels")
    await invite(core, room["id"], bob, alice)
    resp = await client.post(f"/api/chat/rooms/{room['id']}/join/", headers=bob.headers)
    assert resp.status == 200
    assert room["id"] in {r["id"] for r in await room_list(client, bob)}


async def test_leaving_records_a_system_message_and_leaving_again_is_a_400(client, alice, bob):
    room = await create_room(client, alice)
    await client.post(f"/api/chat/rooms/{room['id']}/join/", headers=bob.headers)
    resp = await client.post(f"/api/chat/rooms/{room['id']}/leave/", headers=bob.headers)
    assert resp.status == 200 and set(await resp.json()) == {"message"}
    resp = await client.get(f"/api/chat/rooms/{room['id']}/messages/", headers=alice.headers)
    last = (await resp.json())["messages"][-1]
    assert last["message_type"] == "system" and "bob" in last["content"]
    resp = await client.post(f"/api/chat/rooms/{room['id']}/leave/", headers=bob.headers)
    await assert_error(resp, 400, "channels")


async def test_leaving_a_private_room_closes_ones_sockets_there(client, core, alice, bob):
    room = await create_room(client, alice, room_type="private")
    await invite(core, room["id"], bob, alice)
    await client.post(f"/api/chat/rooms/{room['id']}/join/", headers=bob.headers)
    ws = await client.ws_connect(f"/ws/chat/{room['id']}/?token={bob.token}")
    await next_frame(ws, "connection_established")
    await client.post(f"/api/chat/rooms/{room['id']}/leave/", headers=bob.headers)
    await closed_with(ws, 4003)
    await client.post(
        f"/api/chat/rooms/{room['id']}/messages/", json={"content": "after"}, headers=alice.headers
    )


async def test_members_are_listed_with_room_user_role_and_read_state(client, alice, bob):
    room = await create_room(client, alice)
    await client.post(f"/api/chat/rooms/{room['id']}/join/", headers=bob.headers)
    resp = await client.get(f"/api/chat/rooms/{room['id']}/members/", headers=bob.headers)
    assert resp.status == 200
    members = await resp.json()
    assert [(m["user"]["username"], m["role"]) for m in members] == [
        ("alice", "admin"),
        ("bob", "member"),
    ]
    first = members[0]
    assert set(first) >= {
        "id",
        "room",
        "user",
        "role",
        "joined_at",
        "last_read_at",
        "is_muted",
        "is_banned",
    }
    assert first["room"] == {"id": room["id"], "name": room["name"]}
    assert USER_FIELDS <= set(first["user"])
    assert first["is_muted"] is False and first["is_banned"] is False


async def test_only_the_creator_or_a_site_admin_deletes_a_room(client, admin, alice, bob):
    room = await create_room(client, alice)
    await client.post(f"/api/chat/rooms/{room['id']}/join/", headers=bob.headers)
    resp = await client.delete(f"/api/chat/rooms/{room['id']}/", headers=bob.headers)
    await assert_error(resp, 403, "channels")
    other = await create_room(client, alice, name="other")
    resp = await client.delete(f"/api/chat/rooms/{other['id']}/", headers=admin.headers)
    assert resp.status == 200
    resp = await client.delete(f"/api/chat/rooms/{room['id']}/", headers=alice.headers)
    assert resp.status == 200 and set(await resp.json()) == {"message"}


async def test_a_deleted_room_vanishes_but_its_messages_stay(client, core, alice):
    room = await create_room(client, alice)
    await client.post(
        f"/api/chat/rooms/{room['id']}/messages/",
        json={"content": "keep me"},
        headers=alice.headers,
    )
    await client.delete(f"/api/chat/rooms/{room['id']}/", headers=alice.headers)
    assert room["id"] not in {r["id"] for r in await room_list(client, alice)}
    resp = await client.get(f"/api/chat/rooms/{room['id']}/", headers=alice.headers)
    await assert_error(resp, 404, "channels")
    resp = await client.get(f"/api/chat/rooms/{room['id']}/messages/", headers=alice.headers)
    await assert_error(resp, 404, "channels")
    rows = await core.db.fetch_all("SELECT content FROM messages WHERE room_id = ?", (room["id"],))
    assert [row[0] for row in rows] == ["keep me"]


async def test_deleting_a_room_sends_room_deleted_then_closes_with_4004(client, alice, bob):
    room = await create_room(client, alice)
    ws_a = await client.ws_connect(f"/ws/chat/{room['id']}/?token={alice.token}")
    ws_b = await client.ws_connect(f"/ws/chat/{room['id']}/?token={bob.token}")
    for ws in (ws_a, ws_b):
        await next_frame(ws, "connection_established")
    await client.delete(f"/api/chat/rooms/{room['id']}/", headers=alice.headers)
    for ws in (ws_a, ws_b):
        frame = await next_frame(ws, "room_deleted")
        assert frame["room"]["id"] == room["id"]
        await closed_with(ws, 4004)
    ws = await client.ws_connect(f"/ws/chat/{room['id']}/?token={alice.token}")
    await closed_with(ws, 4004)
