"""Texts the server writes (joins, leaves, uploads, deletions, notification titles, the
seeded room) are data, shown in each viewer's language and with display names."""

import aiohttp

from chat.app import create_app
from chat.settings import Settings
from tests.helpers import make_room, next_frame, register

ZH = {"Accept-Language": "zh-CN,zh"}


async def history(client, person, room, language=None):
    headers = {**person.headers, **(ZH if language == "zh" else {})}
    resp = await client.get(f"/api/chat/rooms/{room['id']}/messages/", headers=headers)
    return (await resp.json())["messages"]


async def test_join_and_leave_lines_read_in_each_viewers_language(client, alice, bob):
    room = await make_room(client, bob, name="tea")
    ws_zh = await client.ws_connect(f"/ws/chat/{room['id']}/?token={bob.token}&lang=zh")
    await next_frame(ws_zh, "connection_established")
    ws_v1 = await client.ws_connect(f"/api/v1/chatroom/ws/{room['id']}/{bob.token}")
    await client.post(f"/api/chat/rooms/{room['id']}/join/", headers=alice.headers)
    frame = await next_frame(ws_zh, "chat_message")
    assert frame["message"]["content"] == "Alice Liddell 加入了聊天室"
    assert (await next_frame(ws_v1, "join"))["content"] == "Alice Liddell joined the room"
    await client.post(f"/api/chat/rooms/{room['id']}/leave/", headers=alice.headers)
    assert (await next_frame(ws_zh, "chat_message"))["message"][
        "content"
    ] == "Alice Liddell 离开了聊天室"
    texts = [m["content"] for m in await history(client, bob, room, "zh")]
    assert texts[-2:] == ["Alice Liddell 加入了聊天室", "Alice Liddell 离开了聊天室"]
    texts = [m["content"] for m in await history(client, bob, room)]
    assert texts[-2:] == ["Alice Liddell joined the room", "Alice Liddell left the room"]
    await ws_zh.close()
    await ws_v1.close()


async def test_uploads_and_deletions_read_in_the_viewers_language(client, alice):
    room = await make_room(client, alice)
    body = aiohttp.FormData()
    body.add_field("room_id", str(room["id"]))
    body.add_field("file", b"notes", filename="notes.txt", content_type="text/plain")
    resp = await client.post("/api/chat/upload", data=body, headers={**alice.headers, **ZH})
    assert (await resp.json())["content"] == "发送了文件: notes.txt"
    shown = await history(client, alice, room)
    assert shown[-1]["content"] == "sent a file: notes.txt"
    resp = await client.get(f"/api/chat/messages?room_id={room['id']}", headers=alice.headers)
    assert (await resp.json())[-1]["content"] == "sent a file: notes.txt"
    await client.delete(f"/api/chat/messages/{shown[-1]['id']}/", headers=alice.headers)
    assert (await history(client, alice, room, "zh"))[-1]["content"] == "[消息已删除]"
    assert (await history(client, alice, room))[-1]["content"] == "[message deleted]"


async def test_notification_titles_use_display_names_in_the_readers_language(client, alice, bob):
    room = await make_room(client, bob, name="tea")
    await client.post(f"/api/chat/rooms/{room['id']}/join/", headers=alice.headers)
    await client.post(
        f"/api/chat/rooms/{room['id']}/messages/",
        json={"content": "hi @bob"},
        headers=alice.headers,
    )
    resp = await client.get("/api/chat/notifications/", headers={**bob.headers, **ZH})
    assert (await resp.json())[0]["title"] == "Alice Liddell 提到了你"
    resp = await client.get("/api/chat/notifications/", headers=bob.headers)
    assert (await resp.json())[0]["title"] == "Alice Liddell mentioned you"


async def test_the_seeded_room_follows_the_server_language_until_renamed(aiohttp_client, tmp_path):
    async def start(language):
        return await aiohttp_client(
            create_app(Settings(data_dir=tmp_path / "d", language=language))
        )

    async def global_room(client, person):
        resp = await client.get("/api/chat/rooms/global/", headers=person.headers)
        return await resp.json()

    client = await start("zh")
    admin = await register(client, "admin")
    assert (await global_room(client, admin))["name"] == "大厅"
    await client.close()
    client = await start("en")
    assert (await global_room(client, admin))["name"] == "Global"
    await client.patch("/api/chat/rooms/global/", json={"name": "Lobby"}, headers=admin.headers)
    await client.close()
    client = await start("zh")
    room = await global_room(client, admin)
    assert (room["name"], room["description"]) == ("Lobby", "The room everyone shares")
