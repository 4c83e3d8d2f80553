"""The user-level socket /ws/user/: every room of the user on one socket, per-room
sending and typing, live joins, leaves and bans, and a per-room resume."""

from __future__ import annotations

import pytest

from tests.helpers import make_room, next_frame, no_frame, post_message
from tests.pgcluster import both_engines


async def open_user_socket(client, person, query: str = ""):
    ws = await client.ws_connect(f"/ws/user/?token={person.token}{query}")
    hello = await next_frame(ws, "connection_established")
    return ws, hello


async def join(client, person, room):
    resp = await client.post(f"/api/chat/rooms/{room['id']}/join/", headers=person.headers)
    assert resp.status in (200, 201), await resp.text()


@pytest.fixture
async def rooms(client, alice, bob):
    """Two rooms of bob's, both joined by alice."""
    first = await make_room(client, bob, name="first")
    second = await make_room(client, bob, name="second")
    for room in (first, second):
        await join(client, alice, room)
    return first, second


async def message_in(ws, room_id, timeout=5.0):
    """The next chat message in that room (join and leave notices skipped)."""
    while True:
        frame = await next_frame(ws, "chat_message", timeout)
        if frame["room_id"] == room_id and frame["message"]["message_type"] != "system":
            return frame["message"]


async def assert_cut_off(client, ws, sender, gone, still):
    """Room `gone` no longer reaches the socket and refuses its frames; `still` goes on."""
    await post_message(client, sender, gone, "not for this socket")
    await post_message(client, sender, still, "for this socket")
    assert (await message_in(ws, still["id"]))["content"] == "for this socket"
    await no_frame(ws, "chat_message")
    await ws.send_json({"type": "chat_message", "room_id": gone["id"], "content": "x"})
    await next_frame(ws, "error")


async def test_one_socket_carries_every_room_of_the_user(client, alice, bob, rooms):
    first, second = rooms
    ws, hello = await open_user_socket(client, alice)
    assert {r["id"] for r in hello["rooms"]} >= {first["id"], second["id"]}
    await post_message(client, bob, first, "in first")
    await post_message(client, bob, second, "in second")
    got = [await next_frame(ws, "chat_message"), await next_frame(ws, "chat_message")]
    assert [(f["room_id"], f["message"]["content"]) for f in got] == [
        (first["id"], "in first"),
        (second["id"], "in second"),
    ]
    ws_bob, _ = await open_user_socket(client, bob)
    await ws_bob.send_json({"type": "typing", "room_id": second["id"], "is_typing": True})
    typing = await next_frame(ws, "typing")
    assert typing["room_id"] == second["id"] and typing["user"]["id"] == bob.id
    message_id = got[0]["message"]["id"]
    resp = await client.post(
        f"/api/chat/messages/{message_id}/reactions/", json={"emoji": "👍"}, headers=bob.headers
    )
    assert resp.status == 201
    reaction = await next_frame(ws, "reaction")
    assert reaction["room_id"] == first["id"] and reaction["message_id"] == message_id
    for w in (ws, ws_bob):
        await w.close()


async def test_sending_names_the_room_and_a_foreign_room_is_an_error(
    client, alice, bob, rooms, make_user
):
    first, _ = rooms
    carol = await make_user("carol")
    private = await make_room(client, carol, name="closed", room_type="private")
    ws, _ = await open_user_socket(client, alice)
    await ws.send_json(
        {"type": "chat_message", "room_id": first["id"], "content": "hi", "client_id": "c-1"}
    )
    echo = await message_in(ws, first["id"])
    assert echo["content"] == "hi" and echo["client_id"] == "c-1"
    for bad in ({"room_id": private["id"]}, {"room_id": "x"}, {}):
        await ws.send_json({"type": "chat_message", "content": "nope", **bad})
        await next_frame(ws, "error")
    await ws.send_json({"type": "typing", "room_id": private["id"]})
    await next_frame(ws, "error")
    await ws.send_json({"type": "chat_message", "room_id": first["id"], "content": "still here"})
    assert (await message_in(ws, first["id"]))["content"] == "still here"
    await ws.close()


async def test_joining_adds_the_room_and_leaving_stops_it_without_closing(
    client, alice, bob, rooms
):
    first, second = rooms
    third = await make_room(client, bob, name="third")
    ws, _ = await open_user_socket(client, alice)
    await join(client, alice, third)
    joined = await next_frame(ws, "room_joined")
    assert joined["room_id"] == third["id"] and joined["room"]["name"] == "third"
    await post_message(client, bob, third, "welcome")
    assert (await message_in(ws, third["id"]))["content"] == "welcome"
    resp = await client.post(f"/api/chat/rooms/{first['id']}/leave/", headers=alice.headers)
    assert resp.status == 200, await resp.text()
    left = await next_frame(ws, "member_left")
    assert left["room_id"] == first["id"] and left["user"]["id"] == alice.id
    await assert_cut_off(client, ws, bob, gone=first, still=second)
    assert not ws.closed
    await ws.close()


async def test_a_ban_stops_the_room_and_an_unban_brings_it_back(client, alice, bob, rooms):
    first, second = rooms
    ws, _ = await open_user_socket(client, alice)
    url = f"/api/chat/rooms/{first['id']}/members/{alice.id}/"
    assert (await client.patch(url, json={"is_banned": True}, headers=bob.headers)).status == 200
    banned = await next_frame(ws, "member_updated")
    assert banned["room_id"] == first["id"] and banned["is_banned"] is True
    await assert_cut_off(client, ws, bob, gone=first, still=second)
    assert (await client.patch(url, json={"is_banned": False}, headers=bob.headers)).status == 200
    await next_frame(ws, "room_joined")
    await post_message(client, bob, first, "welcome back")
    assert (await message_in(ws, first["id"]))["content"] == "welcome back"
    await ws.close()


async def test_a_deleted_room_stops_but_the_socket_stays(client, alice, bob, rooms):
    first, second = rooms
    ws, _ = await open_user_socket(client, alice)
    resp = await client.delete(f"/api/chat/rooms/{first['id']}/", headers=bob.headers)
    assert resp.status in (200, 204), await resp.text()
    assert (await next_frame(ws, "room_deleted"))["room_id"] == first["id"]
    await post_message(client, bob, second, "alive")
    assert (await message_in(ws, second["id"]))["content"] == "alive"
    await ws.close()


@pytest.mark.parametrize("how", ["frame", "query"])
@both_engines
async def test_resume_replays_each_room_from_its_own_point(client, alice, bob, rooms, how):
    first, second = rooms
    a1 = await post_message(client, bob, first, "a1")
    b1 = await post_message(client, bob, second, "b1")
    missed = [
        await post_message(client, bob, room, text)
        for room, text in ((first, "a2"), (second, "b2"), (first, "a3"))
    ]
    since = {str(first["id"]): a1["id"], str(second["id"]): b1["id"]}
    if how == "query":
        query = "&resume=" + ",".join(f"{room}:{last}" for room, last in since.items())
        ws, _ = await open_user_socket(client, alice, query)
    else:
        ws, _ = await open_user_socket(client, alice)
        await ws.send_json({"type": "resume", "rooms": since})
    got = [(await next_frame(ws, "chat_message"))["message"] for _ in missed]
    assert sorted(m["id"] for m in got) == sorted(m["id"] for m in missed)
    live = await post_message(client, bob, second, "live")
    assert (await message_in(ws, second["id"]))["id"] == live["id"]
    await no_frame(ws, "chat_message")
    await ws.close()


async def test_resume_of_a_room_not_mine_replays_nothing(client, alice, make_user):
    carol = await make_user("carol")
    private = await make_room(client, carol, name="closed", room_type="private")
    await post_message(client, carol, private, "secret")
    ws, _ = await open_user_socket(client, alice)
    await ws.send_json({"type": "resume", "rooms": {str(private["id"]): 0}})
    await no_frame(ws, "chat_message")
    await ws.send_json({"type": "resume", "rooms": [1, 2]})
    await next_frame(ws, "error")
    await ws.close()


async def test_read_marks_and_notifications_arrive_once(client, alice, bob, rooms):
    first, _ = rooms
    ws, _ = await open_user_socket(client, alice)
    await post_message(client, bob, first, "hey @alice")
    message = await message_in(ws, first["id"])
    notification = await next_frame(ws, "notification")
    assert notification["notification"]["notification_type"] == "mention"
    await ws.send_json({"type": "read", "message_id": message["id"]})
    read = await next_frame(ws, "read")
    assert read["room_id"] == first["id"] and read["unread_count"] == 0
    await no_frame(ws, "notification")
    await ws.close()


async def test_online_users_on_request(client, alice, bob, rooms):
    first, _ = rooms
    ws, _ = await open_user_socket(client, alice)
    ws_bob, _ = await open_user_socket(client, bob)
    await ws.send_json({"type": "online", "room_id": first["id"]})
    online = await next_frame(ws, "online_users")
    assert online["online_count"] == 2
    assert {u["id"] for u in online["online_users"]} == {alice.id, bob.id}
    for w in (ws, ws_bob):
        await w.close()


async def test_a_bad_token_closes_4001(client):
    ws = await client.ws_connect("/ws/user/?token=garbage")
    msg = await ws.receive()
    assert ws.close_code == 4001, msg
