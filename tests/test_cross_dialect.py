"""One room, one message, one event: v1 and channels clients share a room, each in
its own frame format, and one user's tabs in both dialects are one presence."""

from tests.helpers import next_frame, no_frame


def v1_path(room, person) -> str:
    return f"/api/v1/chatroom/ws/{room}/{person.token}"


def channels_path(room, person) -> str:
    return f"/ws/chat/{room}/?token={person.token}"


async def public_room(client, person) -> dict:
    resp = await client.post(
        "/api/v1/chatroom/rooms", json={"name": "茶馆"}, headers=person.headers
    )
    assert resp.status == 200
    return await resp.json()


async def v1_online(ws, person) -> None:
    while (await next_frame(ws, "user_online"))["user_id"] != person.id:
        pass


async def channels_online(ws, person) -> None:
    while (await next_frame(ws, "user_join"))["user"]["id"] != person.id:
        pass


async def chat_message(ws) -> dict:
    """The next channels chat_message that is not a system notice."""
    while (frame := await next_frame(ws, "chat_message"))["message"]["message_type"] == "system":
        pass
    return frame["message"]


async def test_a_v1_message_reaches_channels_sockets_once_with_the_same_id(client, alice, bob):
    room = await public_room(client, alice)
    ws_v1 = await client.ws_connect(v1_path(room["id"], alice))
    ws_ch = await client.ws_connect(channels_path(room["id"], bob))
    await v1_online(ws_v1, bob)
    await ws_v1.send_json({"type": "message", "content": "来自 v1", "client_id": "v1-1"})
    echo = await next_frame(ws_v1, "message")
    seen = await chat_message(ws_ch)
    assert (seen["id"], seen["content"], seen["client_id"]) == (
        echo["message_id"],
        "来自 v1",
        "v1-1",
    )
    assert seen["sender"]["username"] == "alice" and seen["room"]["id"] == room["id"]
    await no_frame(ws_ch, "chat_message")
    await no_frame(ws_v1, "message")
    await ws_v1.close()
    await ws_ch.close()


async def test_a_channels_message_reaches_v1_sockets_once_with_the_same_id(client, alice, bob):
    room = await public_room(client, alice)
    ws_v1 = await client.ws_connect(v1_path(room["id"], alice))
    ws_ch = await client.ws_connect(channels_path(room["id"], bob))
    await v1_online(ws_v1, bob)
    await ws_ch.send_json({"type": "chat_message", "content": "from channels"})
    sent = await chat_message(ws_ch)
    seen = await next_frame(ws_v1, "message")
    assert (seen["message_id"], seen["content"], seen["user_id"]) == (
        sent["id"],
        "from channels",
        bob.id,
    )
    await no_frame(ws_v1, "message")
    await ws_v1.close()
    await ws_ch.close()


async def test_messages_of_both_dialects_are_in_both_histories(client, alice, bob):
    room = await public_room(client, alice)
    ws_v1 = await client.ws_connect(v1_path(room["id"], alice))
    await ws_v1.send_json({"type": "message", "content": "v1 said"})
    v1_id = (await next_frame(ws_v1, "message"))["message_id"]
    resp = await client.post(
        f"/api/chat/rooms/{room['id']}/messages/",
        json={"content": "channels said"},
        headers=bob.headers,
    )
    channels_id = (await resp.json())["id"]
    assert (await next_frame(ws_v1, "message"))["message_id"] == channels_id
    detail = await (
        await client.get(f"/api/v1/chatroom/rooms/{room['id']}", headers=alice.headers)
    ).json()
    v1_history = [m["id"] for m in detail["latest_messages"] if not m["is_system"]]
    page = await (
        await client.get(f"/api/chat/rooms/{room['id']}/messages/", headers=alice.headers)
    ).json()
    channels_history = [m["id"] for m in page["messages"] if m["message_type"] != "system"]
    assert v1_history == channels_history == [v1_id, channels_id]
    await ws_v1.close()


async def test_a_user_with_a_v1_tab_and_a_channels_tab_is_one_presence(client, alice, bob):
    room = await public_room(client, alice)
    watch_v1 = await client.ws_connect(v1_path(room["id"], alice))
    watch_ch = await client.ws_connect(channels_path(room["id"], alice))
    await v1_online(watch_v1, alice)
    tab_v1 = await client.ws_connect(v1_path(room["id"], bob))
    await v1_online(watch_v1, bob)
    await channels_online(watch_ch, bob)
    tab_ch = await client.ws_connect(channels_path(room["id"], bob))
    await next_frame(tab_ch, "connection_established")
    await no_frame(watch_v1, "user_online")
    await no_frame(watch_ch, "user_join")
    await tab_v1.close()
    await no_frame(watch_v1, "user_offline")
    await no_frame(watch_ch, "user_leave")
    await tab_ch.close()
    assert (await next_frame(watch_v1, "user_offline"))["user_id"] == bob.id
    assert (await next_frame(watch_ch, "user_leave"))["user"]["id"] == bob.id
    await no_frame(watch_v1, "user_offline")
    await watch_v1.close()
    await watch_ch.close()


async def test_typing_crosses_dialects(client, alice, bob):
    room = await public_room(client, alice)
    ws_v1 = await client.ws_connect(v1_path(room["id"], alice))
    ws_ch = await client.ws_connect(channels_path(room["id"], bob))
    await v1_online(ws_v1, bob)
    await ws_v1.send_json({"type": "typing"})
    typing = await next_frame(ws_ch, "typing")
    assert (typing["user"]["id"], typing["is_typing"]) == (alice.id, True)
    await ws_ch.send_json({"type": "typing", "is_typing": True})
    assert (await next_frame(ws_v1, "typing"))["user_id"] == bob.id
    await ws_ch.send_json({"type": "typing", "is_typing": False})
    await no_frame(ws_v1, "typing")
    await ws_v1.close()
    await ws_ch.close()
