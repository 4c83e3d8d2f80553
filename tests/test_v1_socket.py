"""The v1 WebSocket (seed 000): flat frames, presence, typing, errors, close codes,
client_id retries and ?since= resume."""

from tests.helpers import closed_with, next_frame, no_frame

ROOMS = "/api/v1/chatroom/rooms"
MESSAGE_KEYS = {
    "type",
    "message_id",
    "room_id",
    "user_id",
    "username",
    "avatar_url",
    "content",
    "timestamp",
}


def socket_path(room, person, since=None) -> str:
    path = f"/api/v1/chatroom/ws/{room}/{person.token}"
    return path if since is None else f"{path}?since={since}"


async def online(ws, person) -> dict:
    """Wait for person's user_online on ws (a socket hears its own user's too)."""
    while (frame := await next_frame(ws, "user_online"))["user_id"] != person.id:
        pass
    return frame


async def create(client, person, **body) -> dict:
    resp = await client.post(ROOMS, json={"name": "room", **body}, headers=person.headers)
    assert resp.status == 200, await resp.text()
    return await resp.json()


async def test_two_v1_clients_chat_with_seed_frames(client, alice, bob):
    room = await create(client, alice)
    ws_a = await client.ws_connect(socket_path(room["id"], alice))
    ws_b = await client.ws_connect(socket_path(room["id"], bob))
    joined = await next_frame(ws_a, "join")
    assert set(joined) == {
        "type",
        "room_id",
        "user_id",
        "username",
        "avatar_url",
        "content",
        "timestamp",
    }
    assert (joined["user_id"], joined["username"]) == (bob.id, "bob")
    seen = await online(ws_a, bob)
    assert set(seen) == {"type", "room_id", "user_id", "username", "avatar_url", "timestamp"}
    await ws_b.send_json({"type": "message", "content": "  大家好!  "})
    for ws in (ws_a, ws_b):
        frame = await next_frame(ws, "message")
        assert set(frame) == MESSAGE_KEYS
        assert (frame["content"], frame["user_id"], frame["username"], frame["room_id"]) == (
            "大家好!",
            bob.id,
            "bob",
            room["id"],
        )
    await ws_b.close()
    offline = await next_frame(ws_a, "user_offline")
    assert set(offline) == {"type", "room_id", "user_id", "username", "timestamp"}
    await ws_a.close()


async def test_a_v1_socket_has_no_greeting_but_hears_its_own_user_online(client, alice):
    ws = await client.ws_connect(socket_path("global", alice))
    first = await next_frame(ws)
    assert (first["type"], first["user_id"]) == ("user_online", alice.id)
    await ws.close()


async def test_typing_reaches_the_others_only(client, alice, bob):
    room = await create(client, alice)
    ws_a = await client.ws_connect(socket_path(room["id"], alice))
    ws_b = await client.ws_connect(socket_path(room["id"], bob))
    await online(ws_a, bob)
    await ws_a.send_json({"type": "typing"})
    typing = await next_frame(ws_b, "typing")
    assert set(typing) == {"type", "room_id", "user_id", "username", "timestamp"}
    assert typing["user_id"] == alice.id
    await no_frame(ws_a, "typing")
    await ws_a.close()
    await ws_b.close()


async def test_bad_frames_get_error_frames_and_the_socket_stays_open(client, alice):
    ws = await client.ws_connect(socket_path("global", alice))
    for bad in (
        "not json",
        '{"type": "shout"}',
        '{"type": "message", "content": "   "}',
        '{"type": "message", "content": "' + "x" * 5001 + '"}',
        '{"type": "message", "content": 5}',
    ):
        await ws.send_str(bad)
        frame = await next_frame(ws, "error")
        assert set(frame) == {"type", "message"} and frame["message"]
    await ws.send_json({"type": "message", "content": "still here"})
    assert (await next_frame(ws, "message"))["content"] == "still here"
    await ws.close()


async def test_close_codes_for_token_private_room_and_missing_room(client, alice, bob):
    private = await create(client, alice, is_public=False)
    bad = await client.ws_connect("/api/v1/chatroom/ws/global/not-a-token")
    await closed_with(bad, 4001)
    forbidden = await client.ws_connect(socket_path(private["id"], bob))
    await closed_with(forbidden, 4003)
    missing = await client.ws_connect(socket_path(424242, bob))
    await closed_with(missing, 4004)


async def test_deleting_the_room_sends_room_deleted_and_closes_4004(client, alice):
    room = await create(client, alice)
    ws = await client.ws_connect(socket_path(room["id"], alice))
    await client.delete(f"{ROOMS}/{room['id']}", headers=alice.headers)
    assert (await next_frame(ws, "room_deleted"))["room_id"] == room["id"]
    await closed_with(ws, 4004)


async def test_client_id_is_echoed_and_a_retry_stores_nothing_new(client, alice, bob):
    room = await create(client, alice)
    ws_a = await client.ws_connect(socket_path(room["id"], alice))
    ws_b = await client.ws_connect(socket_path(room["id"], bob))
    await online(ws_a, bob)
    await ws_a.send_json({"type": "message", "content": "once", "client_id": "c-1"})
    first = await next_frame(ws_b, "message")
    assert first["client_id"] == "c-1" and set(first) == MESSAGE_KEYS | {"client_id"}
    await next_frame(ws_a, "message")
    await ws_a.send_json({"type": "message", "content": "once", "client_id": "c-1"})
    retry = await next_frame(ws_a, "message")
    assert retry["message_id"] == first["message_id"]
    await no_frame(ws_b, "message")
    await ws_a.close()
    await ws_b.close()


async def test_since_replays_what_was_missed_then_live_traffic(client, alice, bob):
    room = await create(client, alice)
    ws_a = await client.ws_connect(socket_path(room["id"], alice))
    await ws_a.send_json({"type": "message", "content": "first"})
    mark = (await next_frame(ws_a, "message"))["message_id"]
    for text in ("second", "third"):
        await ws_a.send_json({"type": "message", "content": text})
        await next_frame(ws_a, "message")
    ws_b = await client.ws_connect(socket_path(room["id"], bob, since=mark))
    replayed = [(await next_frame(ws_b, "message"))["content"] for _ in range(2)]
    assert replayed == ["second", "third"]
    await ws_a.send_json({"type": "message", "content": "fourth"})
    assert (await next_frame(ws_b, "message"))["content"] == "fourth"
    await no_frame(ws_b, "message")
    await ws_a.close()
    await ws_b.close()


async def test_opening_a_socket_on_a_public_room_joins_it(client, alice, bob):
    room = await create(client, alice)
    ws = await client.ws_connect(socket_path(room["id"], bob))
    await online(ws, bob)
    detail = await (await client.get(f"{ROOMS}/{room['id']}", headers=bob.headers)).json()
    assert detail["is_member"] is True and detail["member_count"] == 2
    await ws.close()


async def test_the_token_may_come_from_the_header_and_its_absence_closes_4001(client, alice):
    ws = await client.ws_connect("/api/v1/chatroom/ws/global", headers=alice.headers)
    assert (await next_frame(ws, "user_online"))["user_id"] == alice.id
    await ws.close()
    anonymous = await client.ws_connect("/api/v1/chatroom/ws/global/")
    await closed_with(anonymous, 4001)


async def test_edits_reactions_and_deletions_arrive_as_flat_frames(client, alice, bob):
    room = await create(client, alice)
    await client.post(f"{ROOMS}/{room['id']}/join", headers=bob.headers)
    ws = await client.ws_connect(socket_path(room["id"], alice))
    await ws.send_json({"type": "message", "content": "draft"})
    message_id = (await next_frame(ws, "message"))["message_id"]
    base = f"/api/chat/messages/{message_id}/"
    resp = await client.patch(base, json={"content": "final"}, headers=alice.headers)
    assert resp.status == 200, await resp.text()
    updated = await next_frame(ws, "message_updated")
    assert (updated["message_id"], updated["room_id"], updated["content"]) == (
        message_id,
        room["id"],
        "final",
    )
    resp = await client.post(f"{base}reactions/", json={"emoji": "👍"}, headers=bob.headers)
    assert resp.status in (200, 201), await resp.text()
    reaction = await next_frame(ws, "reaction")
    assert (reaction["message_id"], reaction["user_id"], reaction["emoji"]) == (
        message_id,
        bob.id,
        "👍",
    )
    assert reaction["reactions"] == [{"emoji": "👍", "count": 1, "user_ids": [bob.id]}]
    assert (await client.delete(base, headers=alice.headers)).status == 200
    deleted = await next_frame(ws, "message_deleted")
    assert (deleted["message_id"], deleted["room_id"]) == (message_id, room["id"])
    await ws.close()
