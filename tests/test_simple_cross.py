"""One room, one message: what the simple dialect does is seen live and in history by
every other dialect, and the other way round."""

import importlib.util

import pytest

from tests.helpers import next_frame

HAS_V1_SOCKET = importlib.util.find_spec("chat.wire.v1.socket") is not None


async def next_chat(ws) -> dict:
    """The next channels chat_message that is not a system notice."""
    while True:
        frame = await next_frame(ws, "chat_message")
        if frame["message"]["message_type"] != "system":
            return frame["message"]


async def open_channels(client, person, room="global"):
    ws = await client.ws_connect(f"/ws/chat/{room}/?token={person.token}")
    await next_frame(ws, "connection_established")
    return ws


async def simple_send(client, person, content, room="global") -> dict:
    resp = await client.post(
        f"/api/chat/send?room_id={room}", json={"content": content}, headers=person.headers
    )
    assert resp.status == 200, await resp.text()
    return await resp.json()


async def test_a_message_sent_here_arrives_on_channels_sockets(client, alice, bob):
    ws = await open_channels(client, bob)
    sent = await simple_send(client, alice, "from simple")
    message = await next_chat(ws)
    assert message["id"] == int(sent["id"]) and message["content"] == "from simple"
    assert message["sender"]["username"] == "alice"
    await ws.close()


@pytest.mark.skipif(not HAS_V1_SOCKET, reason="the v1 dialect is not built yet")
async def test_a_message_sent_here_arrives_on_v1_sockets(client, alice, bob):
    ws = await client.ws_connect(f"/api/v1/chatroom/ws/global/{bob.token}")
    await next_frame(ws, "user_online")  # v1 has no greeting: one's own arrival says "registered"
    sent = await simple_send(client, alice, "to v1")
    frame = await next_frame(ws, "message")
    assert frame["message_id"] == int(sent["id"]) and frame["content"] == "to v1"
    assert frame["username"] == "alice"
    await ws.close()


async def test_a_message_sent_over_a_channels_socket_shows_in_simple_history(client, alice):
    ws = await open_channels(client, alice)
    await ws.send_json({"type": "chat_message", "content": "from a socket"})
    echoed = await next_chat(ws)
    resp = await client.get("/api/chat/messages", headers=alice.headers)
    last = (await resp.json())[-1]
    assert last["id"] == str(echoed["id"]) and last["content"] == "from a socket"
    await ws.close()


async def test_deleting_here_is_the_soft_delete_channels_sees(client, alice, bob):
    sent = await simple_send(client, alice, "regret")
    ws = await open_channels(client, bob)
    resp = await client.delete(f"/api/chat/messages/{sent['id']}", headers=alice.headers)
    assert resp.status == 200
    frame = await next_frame(ws, "message_deleted")
    assert frame["message"]["id"] == int(sent["id"]) and frame["message"]["is_deleted"] is True
    resp = await client.get("/api/chat/rooms/global/messages/?page_size=100", headers=bob.headers)
    shown = next(m for m in (await resp.json())["messages"] if m["id"] == int(sent["id"]))
    assert shown["is_deleted"] is True and shown["content"] == "[message deleted]"
    await ws.close()


async def test_a_room_created_here_is_the_room_channels_lists(client, alice, bob):
    resp = await client.post(
        "/api/chat/rooms", data={"room_name": "shared", "description": "d"}, headers=alice.headers
    )
    slug = (await resp.json())["room_id"]
    resp = await client.get("/api/chat/rooms/", headers=bob.headers)
    room = next(r for r in await resp.json() if r["slug"] == slug)
    assert room["room_type"] == "public" and room["name"] == "shared"
    ws = await open_channels(client, bob, slug)
    await simple_send(client, alice, "in the new room", room=slug)
    assert (await next_chat(ws))["content"] == "in the new room"
    await ws.close()


async def test_joining_here_is_announced_on_channels_sockets(client, alice, bob):
    resp = await client.post("/api/chat/rooms", json={"room_name": "lobby"}, headers=alice.headers)
    slug = (await resp.json())["room_id"]
    ws = await open_channels(client, alice, slug)
    await client.post(f"/api/chat/rooms/{slug}/join", headers=bob.headers)
    frame = await next_frame(ws, "chat_message")
    assert frame["message"]["message_type"] == "system"
    assert "bob" in frame["message"]["content"]
    await ws.close()
