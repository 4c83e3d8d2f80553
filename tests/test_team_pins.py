"""Team features: pinned messages per room and saved messages per user."""

from tests.helpers import assert_error, connect, make_room, next_frame, no_frame, post_message
from tests.pgcluster import both_engines


async def join(client, person, room):
    resp = await client.post(f"/api/chat/rooms/{room['id']}/join/", headers=person.headers)
    assert resp.status == 200, await resp.text()


async def pins(client, person, room) -> list:
    resp = await client.get(f"/api/chat/rooms/{room['id']}/pins/", headers=person.headers)
    assert resp.status == 200, await resp.text()
    return await resp.json()


async def test_room_admins_pin_and_everyone_sees_the_pinned_list(client, alice, bob):
    room = await make_room(client, alice)
    await join(client, bob, room)
    checklist = await post_message(client, bob, room, "Release checklist:\n- tag\n- notes")
    resp = await client.post(f"/api/chat/messages/{checklist['id']}/pin/", headers=alice.headers)
    assert resp.status == 201, await resp.text()
    body = await resp.json()
    assert body["message"]["id"] == checklist["id"]
    assert body["pinned_by"] == {"id": alice.id, "username": "alice"}
    again = await client.post(f"/api/chat/messages/{checklist['id']}/pin/", headers=alice.headers)
    assert again.status == 200
    listed = await pins(client, bob, room)
    assert [p["message"]["content"] for p in listed] == [checklist["content"]]


async def test_plain_members_may_not_pin_or_unpin(client, alice, bob):
    room = await make_room(client, alice)
    await join(client, bob, room)
    message = await post_message(client, bob, room, "pin me")
    await assert_error(
        await client.post(f"/api/chat/messages/{message['id']}/pin/", headers=bob.headers),
        403,
        "channels",
    )
    await client.post(f"/api/chat/messages/{message['id']}/pin/", headers=alice.headers)
    await assert_error(
        await client.delete(f"/api/chat/messages/{message['id']}/pin/", headers=bob.headers),
        403,
        "channels",
    )
    await client.patch(
        f"/api/chat/rooms/{room['id']}/members/{bob.id}/",
        json={"role": "moderator"},
        headers=alice.headers,
    )
    resp = await client.delete(f"/api/chat/messages/{message['id']}/pin/", headers=bob.headers)
    assert resp.status == 200
    assert await pins(client, alice, room) == []


async def test_outsiders_see_no_pins_of_a_private_room(client, alice, bob):
    room = await make_room(client, alice, room_type="private")
    message = await post_message(client, alice, room, "secret plan")
    await client.post(f"/api/chat/messages/{message['id']}/pin/", headers=alice.headers)
    await assert_error(
        await client.get(f"/api/chat/rooms/{room['id']}/pins/", headers=bob.headers),
        403,
        "channels",
    )
    await assert_error(
        await client.post(f"/api/chat/messages/{message['id']}/save/", headers=bob.headers),
        404,
        "channels",
    )


@both_engines
async def test_pins_follow_edits_and_vanish_with_deletion_live(client, alice, bob):
    room = await make_room(client, alice)
    await join(client, bob, room)
    ws = await connect(client, bob, room)
    message = await post_message(client, alice, room, "checklist v1")
    await client.post(f"/api/chat/messages/{message['id']}/pin/", headers=alice.headers)
    frame = await next_frame(ws, "message_pinned")
    assert (frame["room_id"], frame["message"]["id"]) == (room["id"], message["id"])
    assert frame["pinned_by"]["username"] == "alice"
    await client.patch(
        f"/api/chat/messages/{message['id']}/",
        json={"content": "checklist v2"},
        headers=alice.headers,
    )
    assert (await pins(client, bob, room))[0]["message"]["content"] == "checklist v2"
    await client.delete(f"/api/chat/messages/{message['id']}/", headers=alice.headers)
    frame = await next_frame(ws, "message_unpinned")
    assert frame == {"type": "message_unpinned", "room_id": room["id"], "message_id": message["id"]}
    assert await pins(client, bob, room) == []
    await ws.close()


async def test_pin_frames_reach_v1_sockets_as_flat_frames(client, alice):
    room = await make_room(client, alice)
    ws = await connect(client, alice, room, dialect="v1")
    message = await post_message(client, alice, room, "v1 pin")
    await client.post(f"/api/chat/messages/{message['id']}/pin/", headers=alice.headers)
    frame = await next_frame(ws, "message_pinned")
    assert (frame["message_id"], frame["room_id"], frame["username"]) == (
        message["id"],
        room["id"],
        "alice",
    )
    await ws.close()


async def test_pins_per_room_are_capped(client, alice, settings):
    room = await make_room(client, alice)
    ids = [
        (await post_message(client, alice, room, f"m{n}"))["id"]
        for n in range(settings.max_pins + 1)
    ]
    for message_id in ids[:-1]:
        assert (
            await client.post(f"/api/chat/messages/{message_id}/pin/", headers=alice.headers)
        ).status == 201
    await assert_error(
        await client.post(f"/api/chat/messages/{ids[-1]}/pin/", headers=alice.headers),
        409,
        "channels",
    )


@both_engines
async def test_saved_messages_are_private_live_and_leave_with_deletion(client, alice, bob):
    room = await make_room(client, alice)
    await join(client, bob, room)
    ws_bob = await connect(client, bob, room)
    ws_alice = await connect(client, alice, room)
    message = await post_message(client, alice, room, "remember this")
    resp = await client.post(f"/api/chat/messages/{message['id']}/save/", headers=bob.headers)
    assert resp.status == 201, await resp.text()
    frame = await next_frame(ws_bob, "message_saved")
    assert (frame["message"]["id"], frame["saved"]) == (message["id"], True)
    await no_frame(ws_alice, "message_saved")
    saved = await (await client.get("/api/chat/saved/", headers=bob.headers)).json()
    assert [s["message"]["content"] for s in saved] == ["remember this"]
    assert await (await client.get("/api/chat/saved/", headers=alice.headers)).json() == []
    await client.patch(
        f"/api/chat/messages/{message['id']}/",
        json={"content": "remember that"},
        headers=alice.headers,
    )
    saved = await (await client.get("/api/chat/saved/", headers=bob.headers)).json()
    assert saved[0]["message"]["content"] == "remember that"
    await client.delete(f"/api/chat/messages/{message['id']}/", headers=alice.headers)
    assert await (await client.get("/api/chat/saved/", headers=bob.headers)).json() == []
    resp = await client.delete(f"/api/chat/messages/{message['id']}/save/", headers=bob.headers)
    assert (await resp.json())["removed"] is False
    for ws in (ws_alice, ws_bob):
        await ws.close()


async def test_unsaving_tells_the_users_sockets(client, alice):
    room = await make_room(client, alice)
    ws = await connect(client, alice, room)
    message = await post_message(client, alice, room, "keep")
    await client.post(f"/api/chat/messages/{message['id']}/save/", headers=alice.headers)
    await next_frame(ws, "message_saved")
    resp = await client.delete(f"/api/chat/messages/{message['id']}/save/", headers=alice.headers)
    assert (await resp.json())["removed"] is True
    assert (await next_frame(ws, "message_saved"))["saved"] is False
    await ws.close()


async def test_team_frames_travel_on_the_user_level_socket(client, alice, bob):
    room = await make_room(client, alice)
    await join(client, bob, room)
    ws = await client.ws_connect(f"/ws/user/?token={bob.token}")
    await next_frame(ws, "connection_established")
    message = await post_message(client, alice, room, "pin me")
    await client.post(f"/api/chat/messages/{message['id']}/pin/", headers=alice.headers)
    frame = await next_frame(ws, "message_pinned")
    assert (frame["room_id"], frame["message"]["id"]) == (room["id"], message["id"])
    await client.put("/api/chat/status/", json={"text": "lunch"}, headers=alice.headers)
    assert (await next_frame(ws, "status"))["status"]["text"] == "lunch"
    await client.post(f"/api/chat/messages/{message['id']}/save/", headers=bob.headers)
    assert (await next_frame(ws, "message_saved"))["saved"] is True
    await ws.close()
