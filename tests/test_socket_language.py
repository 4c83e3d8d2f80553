"""A socket told {"type": "language"} renders the server's texts (joins, leaves, notification
titles, replays, errors) in the new language from then on, in every socket dialect: a page
that switches language live reads what arrives next as a reload would (issue 24 item 14)."""

from __future__ import annotations

import pytest

from tests.helpers import make_room, next_frame, post_message

JOINED_ZH = "Alice Liddell 加入了聊天室"


async def open_socket(client, person, room, kind):
    """A socket of this kind opened in English, reading the room."""
    if kind == "user":
        ws = await client.ws_connect(f"/ws/user/?token={person.token}&lang=en")
    elif kind == "channels":
        ws = await client.ws_connect(f"/ws/chat/{room['id']}/?token={person.token}&lang=en")
    else:
        ws = await client.ws_connect(f"/api/v1/chatroom/ws/{room['id']}/{person.token}?lang=en")
        return ws
    await next_frame(ws, "connection_established")
    return ws


async def switch(ws, language):
    await ws.send_json({"type": "language", "language": language})
    assert (await next_frame(ws, "language_ok"))["language"] == language


async def join_line(ws, kind):
    """The text of the next join line, as the dialect carries it."""
    if kind == "v1":
        return (await next_frame(ws, "join"))["content"]
    while True:
        message = (await next_frame(ws, "chat_message"))["message"]
        if message["message_type"] == "system":
            return message["content"]


@pytest.mark.parametrize("kind", ["user", "channels", "v1"])
async def test_a_join_after_the_switch_reads_in_the_new_language(client, alice, bob, kind):
    room = await make_room(client, bob, name="tea")
    ws = await open_socket(client, bob, room, kind)
    await switch(ws, "zh")
    await client.post(f"/api/chat/rooms/{room['id']}/join/", headers=alice.headers)
    assert await join_line(ws, kind) == JOINED_ZH
    await switch(ws, "en")
    await client.post(f"/api/chat/rooms/{room['id']}/leave/", headers=alice.headers)
    if kind == "v1":
        assert (await next_frame(ws, "leave"))["content"] == "Alice Liddell left the room"
    else:
        assert await join_line(ws, kind) == "Alice Liddell left the room"
    await ws.close()


async def test_notification_titles_and_replays_follow_the_switch(client, alice, bob):
    room = await make_room(client, bob, name="tea")
    ws = await open_socket(client, bob, room, "user")
    await switch(ws, "zh")
    await client.post(f"/api/chat/rooms/{room['id']}/join/", headers=alice.headers)
    await post_message(client, alice, room, "hi @bob")
    notification = (await next_frame(ws, "notification"))["notification"]
    assert notification["title"] == "Alice Liddell 提到了你"
    await ws.send_json({"type": "resume", "rooms": {str(room["id"]): 0}})
    replayed = [(await next_frame(ws, "chat_message"))["message"]["content"]]
    while replayed[-1] != "hi @bob":
        replayed.append((await next_frame(ws, "chat_message"))["message"]["content"])
    assert JOINED_ZH in replayed
    await ws.close()


async def test_an_unknown_language_is_an_error_and_the_socket_stays(client, bob):
    room = await make_room(client, bob, name="tea")
    ws = await open_socket(client, bob, room, "channels")
    for bad in ("fr", None, 7, "ZH-cn"):
        await ws.send_json({"type": "language", "language": bad})
        assert "en, zh" in (await next_frame(ws, "error"))["message"]
    await switch(ws, "zh")
    await ws.send_json({"type": "language", "language": "de"})
    assert (await next_frame(ws, "error"))["message"].startswith("字段 'language'")
    await post_message(client, bob, room, "still here")
    assert (await next_frame(ws, "chat_message"))["message"]["content"] == "still here"
    await ws.close()
