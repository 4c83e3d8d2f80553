"""A guest's world is their rooms, through every dialect: they read, join, search,
list, message, upload, download and open sockets nowhere else, and see nobody else
(docs/guests.md, issue 30 item 4)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.guest_helpers import make_guest
from tests.helpers import (
    Person,
    assert_error,
    closed_with,
    make_room,
    next_frame,
    post_message,
)
from tests.test_uploads import bare, png, upload

V1 = "/api/v1/chatroom"


@dataclass
class World:
    admin: Person
    alice: Person  # shares "project" with the guest
    bob: Person  # shares nothing with the guest
    guest: Person
    project: dict  # the guest's room (public, so "public" does not let anyone in)
    lobby: dict  # a public room of members


@pytest.fixture
async def world(client, admin, alice, bob) -> World:
    project = await make_room(client, alice, name="project")
    lobby = await make_room(client, bob, name="lobby")
    await post_message(client, alice, project, "the plan for the contractor")
    await post_message(client, bob, lobby, "the secret plan for members")
    guest = await make_guest(client, admin, "carol", rooms=[project["id"]])
    return World(admin, alice, bob, guest, project, lobby)


async def test_every_room_list_holds_only_the_guests_rooms(client, world):
    headers = world.guest.headers
    v1 = await (await client.get(f"{V1}/rooms", headers=headers)).json()
    channels = await (await client.get("/api/chat/rooms/", headers=headers)).json()
    simple = await (await client.get("/api/chat/rooms", headers=headers)).json()
    assert [room["name"] for room in v1] == ["project"]
    assert [room["name"] for room in channels] == ["project"]
    assert [room["name"] for room in simple] == ["project"]
    members = await client.get(f"/api/chat/rooms/{world.project['id']}/members/", headers=headers)
    assert {m["user"]["username"] for m in await members.json()} == {"alice", "carol"}


@pytest.mark.parametrize("room", ["lobby", "global"])
async def test_other_rooms_cannot_be_read_or_joined_in_any_dialect(client, world, room):
    ref = world.lobby["id"] if room == "lobby" else "global"
    headers = world.guest.headers
    for method, path, dialect in [
        ("GET", f"{V1}/rooms/{ref}", "v1"),
        ("POST", f"{V1}/rooms/{ref}/join", "v1"),
        ("GET", f"/api/chat/rooms/{ref}/", "channels"),
        ("GET", f"/api/chat/rooms/{ref}/messages/", "channels"),
        ("GET", f"/api/chat/rooms/{ref}/members/", "channels"),
        ("POST", f"/api/chat/rooms/{ref}/join/", "channels"),
        ("GET", f"/api/chat/rooms/{ref}/pins/", "channels"),
        ("POST", f"/api/chat/rooms/{ref}/join", "simple"),
        ("GET", f"/api/chat/messages?room_id={ref}", "simple"),
    ]:
        resp = await client.request(method, path, headers=headers)
        await assert_error(resp, 403, dialect)
    resp = await client.post(
        f"/api/chat/rooms/{ref}/messages/", json={"content": "hi"}, headers=headers
    )
    await assert_error(resp, 403, "channels")
    resp = await client.post(
        "/api/chat/send", params={"room_id": ref}, json={"content": "hi"}, headers=headers
    )
    await assert_error(resp, 403, "simple")
    resp = await client.get("/api/chat/messages", headers=headers)  # simple's default: global
    await assert_error(resp, 403, "simple")
    mine = await (await client.get("/api/chat/rooms/", headers=headers)).json()
    assert [room["name"] for room in mine] == ["project"]  # joined nothing on the way


async def test_the_guests_own_room_works_in_every_dialect(client, world):
    headers, ref = world.guest.headers, world.project["id"]
    resp = await client.get(f"{V1}/rooms/{ref}", headers=headers)
    assert resp.status == 200
    resp = await client.post(
        "/api/chat/send", params={"room_id": ref}, json={"content": "hello"}, headers=headers
    )
    assert resp.status in (200, 201), await resp.text()
    resp = await client.get(f"/api/chat/rooms/{ref}/messages/", headers=headers)
    contents = [m["content"] for m in (await resp.json())["messages"]]
    assert "hello" in contents


async def test_a_guest_creates_no_room_webhook_bot_or_api_token(client, world):
    headers = world.guest.headers
    await assert_error(
        await client.post(f"{V1}/rooms", json={"name": "x"}, headers=headers), 403, "v1"
    )
    await assert_error(
        await client.post("/api/chat/rooms/", json={"name": "x"}, headers=headers), 403, "channels"
    )
    await assert_error(
        await client.post("/api/chat/rooms", json={"room_name": "x"}, headers=headers),
        403,
        "simple",
    )
    # Even as the admin of their own room, no webhook.
    resp = await client.patch(
        f"/api/chat/rooms/{world.project['id']}/members/{world.guest.id}/",
        json={"role": "admin"},
        headers=world.alice.headers,
    )
    assert resp.status == 200, await resp.text()
    resp = await client.post(
        f"/api/chat/rooms/{world.project['id']}/hooks/", json={"name": "ci"}, headers=headers
    )
    await assert_error(resp, 403, "channels")
    resp = await client.post("/api/chat/tokens/", json={"name": "ci"}, headers=headers)
    await assert_error(resp, 403, "channels")
    resp = await client.post("/api/chat/bots/", json={"username": "robot"}, headers=headers)
    await assert_error(resp, 403, "channels")


async def test_search_finds_only_the_guests_rooms(client, world):
    resp = await client.get("/api/chat/search/", params={"q": "plan"}, headers=world.guest.headers)
    found = [hit["content"] for hit in (await resp.json())["results"]]
    assert found == ["the plan for the contractor"]
    resp = await client.get(
        "/api/chat/search/", params={"q": "pl"}, headers=world.guest.headers
    )  # short terms: the scan path
    assert [hit["content"] for hit in (await resp.json())["results"]] == [
        "the plan for the contractor"
    ]
    resp = await client.get(
        "/api/chat/search/",
        params={"q": "plan", "room_id": world.lobby["id"]},
        headers=world.guest.headers,
    )
    await assert_error(resp, 403, "channels")
    member = await client.get("/api/chat/search/", params={"q": "plan"}, headers=world.bob.headers)
    assert len((await member.json())["results"]) == 2  # members still search public rooms


async def test_a_guest_finds_and_messages_only_the_people_of_their_rooms(client, world):
    found = await client.get("/api/users/", params={"q": ""}, headers=world.guest.headers)
    assert {user["username"] for user in await found.json()} == {"alice", "carol"}
    found = await client.get("/api/users/", params={"q": "bob"}, headers=world.guest.headers)
    assert await found.json() == []
    resp = await client.post(
        "/api/chat/direct/", json={"username": "bob"}, headers=world.guest.headers
    )
    await assert_error(resp, 404, "channels")
    resp = await client.post(
        "/api/chat/direct/", json={"username": "carol"}, headers=world.bob.headers
    )
    await assert_error(resp, 404, "channels")
    resp = await client.post(
        "/api/chat/direct/", json={"username": "alice"}, headers=world.guest.headers
    )
    assert resp.status in (200, 201), await resp.text()
    # Members see the guest, marked.
    found = await client.get("/api/users/", params={"q": "carol"}, headers=world.bob.headers)
    assert [(u["username"], u["is_guest"]) for u in await found.json()] == [("carol", True)]


async def test_a_guest_sees_nobodys_presence_or_status_outside_their_rooms(client, world):
    for person in (world.alice, world.bob, world.guest):
        assert (await client.post("/api/chat/heartbeat", headers=person.headers)).status == 200
    for person in (world.alice, world.bob):
        resp = await client.put(
            "/api/chat/status/", json={"text": f"{person.username} busy"}, headers=person.headers
        )
        assert resp.status == 200, await resp.text()
    online = await client.get("/api/chat/online-users", headers=world.guest.headers)
    assert {u["username"] for u in await online.json()} == {"alice", "carol"}
    everyone = await client.get("/api/chat/online-users", headers=world.bob.headers)
    assert {u["username"] for u in await everyone.json()} >= {"alice", "bob", "carol"}
    statuses = await client.get("/api/chat/statuses/", headers=world.guest.headers)
    assert {s["text"] for s in await statuses.json()} == {"alice busy"}


async def test_a_guest_uploads_and_downloads_only_in_their_rooms(client, world):
    resp = await upload(
        client, world.guest, "a.png", png(), "image/png", room=str(world.lobby["id"])
    )
    await assert_error(resp, 403, "simple")
    resp = await upload(client, world.bob, "b.png", png(), "image/png", room=str(world.lobby["id"]))
    assert resp.status == 200
    url = bare((await resp.json())["file_url"])
    assert (await client.get(url, headers=world.guest.headers)).status == 404
    assert (await client.get(url, headers=world.alice.headers)).status == 200
    resp = await upload(
        client, world.guest, "c.png", png(), "image/png", room=str(world.project["id"])
    )
    assert resp.status == 200, await resp.text()


@pytest.mark.parametrize("room", ["lobby", "global"])
async def test_sockets_outside_the_guests_rooms_are_refused(client, world, room):
    ref = world.lobby["id"] if room == "lobby" else "global"
    token = world.guest.token
    ws = await client.ws_connect(f"{V1}/ws/{ref}/{token}")
    await closed_with(ws, 4003)
    ws = await client.ws_connect(f"/ws/chat/{ref}/?token={token}")
    await closed_with(ws, 4003)
    ws = await client.ws_connect(f"/ws/user/?token={token}")
    hello = await next_frame(ws, "connection_established")
    assert [seat["name"] for seat in hello["rooms"]] == ["project"]
    await ws.close()
    ws = await client.ws_connect(f"/ws/chat/{world.project['id']}/?token={token}")
    await next_frame(ws, "connection_established")
    await ws.close()
