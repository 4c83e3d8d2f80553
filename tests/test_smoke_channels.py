"""A first end-to-end pass through the channels dialect."""

from tests.helpers import assert_error, next_frame


async def test_two_members_chat_through_channels_sockets(client, alice, bob):
    resp = await client.post("/api/chat/rooms/", json={"name": "dev"}, headers=alice.headers)
    assert resp.status == 201
    room = await resp.json()
    ws_a = await client.ws_connect(f"/ws/chat/{room['id']}/?token={alice.token}")
    hello = await next_frame(ws_a, "connection_established")
    assert hello["user"] == {"id": alice.id, "username": "alice"}
    ws_b = await client.ws_connect(f"/ws/chat/{room['slug']}/?token={bob.token}")
    await next_frame(ws_b, "connection_established")
    await ws_b.send_json({"type": "chat_message", "content": "  hi alice  "})
    frame = await next_frame(ws_a, "chat_message")
    while frame["message"]["message_type"] == "system":
        frame = await next_frame(ws_a, "chat_message")
    assert frame["message"]["content"] == "hi alice"
    assert frame["message"]["sender"]["username"] == "bob"
    await ws_a.close()
    await ws_b.close()


async def test_unknown_room_is_a_channels_404(client, alice):
    resp = await client.get("/api/chat/rooms/999/", headers=alice.headers)
    await assert_error(resp, 404, "channels")
