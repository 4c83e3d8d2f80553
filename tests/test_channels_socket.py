"""Channels WebSocket /ws/chat/{room_id}/?token= (seeds 001/004, API.md WebSocket behaviour)."""

from __future__ import annotations

import asyncio
import json

import pytest
from aiohttp import WSMsgType, WSServerHandshakeError

from chat.app import create_app
from chat.settings import Settings
from tests.helpers import closed_with, next_frame, no_frame, register
from tests.test_channels_rooms import create_room, room_list


async def connect(client, person, room, query: str = "", **kwargs):
    """An open socket whose connection_established frame has been read."""
    ws = await client.ws_connect(f"/ws/chat/{room}/?token={person.token}{query}", **kwargs)
    hello = await next_frame(ws)
    assert hello["type"] == "connection_established", hello
    return ws, hello


async def chat(ws) -> dict:
    """The next chat_message frame that is not a system notice."""
    while True:
        frame = await next_frame(ws, "chat_message")
        if frame["message"]["message_type"] != "system":
            return frame


@pytest.fixture
async def room(client, alice):
    return await create_room(client, alice, name="dev")


async def test_connection_established_comes_first_with_user_room_and_online_users(
    client, alice, bob, room
):
    ws_a, hello_a = await connect(client, alice, room["id"])
    assert hello_a["user"] == {"id": alice.id, "username": "alice"}
    assert hello_a["room"]["id"] == room["id"] and hello_a["room"]["name"] == "dev"
    assert hello_a["online_users"] == [{"id": alice.id, "username": "alice"}]
    assert isinstance(hello_a["message"], str) and hello_a["message"]
    ws_b, hello_b = await connect(client, bob, room["slug"])
    assert [u["username"] for u in hello_b["online_users"]] == ["alice", "bob"]
    await ws_a.close()
    await ws_b.close()


async def test_the_token_may_come_in_the_authorization_header(client, alice, room):
    ws = await client.ws_connect(f"/ws/chat/{room['id']}/", headers=alice.headers)
    assert (await next_frame(ws))["type"] == "connection_established"
    await ws.close()


async def test_a_chat_message_reaches_everyone_with_its_database_id(client, alice, bob, room):
    ws_a, _ = await connect(client, alice, room["id"])
    ws_b, _ = await connect(client, bob, room["id"])
    await ws_b.send_json({"type": "chat_message", "content": " 消息内容 ", "message_type": "text"})
    frames = [await chat(ws_a), await chat(ws_b)]
    assert frames[0] == frames[1]
    message = frames[0]["message"]
    assert message["content"] == "消息内容" and message["message_type"] == "text"
    assert message["sender"]["id"] == bob.id and message["sender"]["username"] == "bob"
    assert {"first_name", "last_name"} <= set(message["sender"])
    assert message["timestamp"] == message["created_at"] and message["reply_to"] is None
    resp = await client.get(f"/api/chat/rooms/{room['id']}/messages/", headers=alice.headers)
    stored = (await resp.json())["messages"][-1]
    assert stored["id"] == message["id"] and stored["content"] == "消息内容"
    resp = await client.post(f"/api/chat/messages/{message['id']}/read/", headers=alice.headers)
    assert resp.status == 200
    await ws_b.send_json({"type": "chat_message", "content": "re", "reply_to": message["id"]})
    assert (await chat(ws_a))["message"]["reply_to"] == message["id"]
    await ws_a.close()
    await ws_b.close()


async def test_a_message_posted_over_rest_reaches_the_sockets(client, alice, room):
    ws, _ = await connect(client, alice, room["id"])
    resp = await client.post(
        f"/api/chat/rooms/{room['id']}/messages/", json={"content": "rest"}, headers=alice.headers
    )
    posted = await resp.json()
    assert (await chat(ws))["message"]["id"] == posted["id"]
    await ws.close()


async def test_opening_a_public_room_joins_it(client, alice, bob, room):
    ws_a, _ = await connect(client, alice, room["id"])
    ws_b, _ = await connect(client, bob, room["id"])
    notice = await next_frame(ws_a, "chat_message")
    assert notice["message"]["message_type"] == "system" and "bob" in notice["message"]["content"]
    entry = next(r for r in await room_list(client, bob) if r["id"] == room["id"])
    assert entry["is_member"] is True
    await ws_b.close()
    ws_b, _ = await connect(client, bob, room["id"])
    await no_frame(ws_a, "chat_message")
    await ws_a.close()
    await ws_b.close()


async def test_presence_goes_to_everyone_and_two_tabs_are_one_presence(client, alice, bob, room):
    ws_a, _ = await connect(client, alice, room["id"])
    assert (await next_frame(ws_a, "user_join"))["user"] == {"id": alice.id, "username": "alice"}
    tab1, _ = await connect(client, bob, room["id"])
    assert (await next_frame(ws_a, "user_join"))["user"]["username"] == "bob"
    assert (await next_frame(tab1, "user_join"))["user"]["username"] == "bob"
    tab2, hello = await connect(client, bob, room["id"])
    assert [u["username"] for u in hello["online_users"]] == ["alice", "bob"]
    await no_frame(ws_a, "user_join")
    await tab1.close()
    await no_frame(ws_a, "user_leave")
    await tab2.close()
    assert (await next_frame(ws_a, "user_leave"))["user"] == {"id": bob.id, "username": "bob"}
    ws_c, hello = await connect(client, bob, room["id"])
    assert [u["username"] for u in hello["online_users"]] == ["alice", "bob"]
    assert (await next_frame(ws_a, "user_join"))["user"]["username"] == "bob"
    await ws_a.close()
    await ws_c.close()


async def test_typing_reaches_the_others_but_not_the_typer(client, alice, bob, room):
    ws_a, _ = await connect(client, alice, room["id"])
    ws_b, _ = await connect(client, bob, room["id"])
    other_tab, _ = await connect(client, bob, room["id"])
    await ws_b.send_json({"type": "typing", "is_typing": True})
    frame = await next_frame(ws_a, "typing")
    assert frame == {"type": "typing", "user": {"id": bob.id, "username": "bob"}, "is_typing": True}
    await ws_b.send_json({"type": "typing", "is_typing": False})
    assert (await next_frame(ws_a, "typing"))["is_typing"] is False
    await no_frame(ws_b, "typing")
    await no_frame(other_tab, "typing")
    for ws in (ws_a, ws_b, other_tab):
        await ws.close()


async def test_typing_expires_by_itself_after_a_few_seconds(client, alice, bob, room):
    ws_a, _ = await connect(client, alice, room["id"])
    ws_b, _ = await connect(client, bob, room["id"])
    await ws_b.send_json({"type": "typing", "is_typing": True})
    assert (await next_frame(ws_a, "typing"))["is_typing"] is True
    started = asyncio.get_running_loop().time()
    expired = await next_frame(ws_a, "typing", timeout=8)
    waited = asyncio.get_running_loop().time() - started
    assert expired["is_typing"] is False and expired["user"]["id"] == bob.id
    assert 2 <= waited <= 7
    await ws_a.close()
    await ws_b.close()


@pytest.mark.parametrize(
    "frame",
    [
        "not json",
        "[1, 2]",
        '"text"',
        '{"content": "no type"}',
        '{"type": "shout"}',
        '{"type": "chat_message"}',
        '{"type": "chat_message", "content": "   "}',
        '{"type": "chat_message", "content": 5}',
        json.dumps({"type": "chat_message", "content": "x" * 5001}),
        '{"type": "chat_message", "content": "hi", "message_type": "system"}',
        '{"type": "chat_message", "content": "hi", "reply_to": 999999}',
        '{"type": "chat_message", "content": "hi", "client_id": 7}',
        '{"type": "typing", "is_typing": "yes"}',
    ],
)
async def test_a_bad_frame_gets_an_error_frame_and_the_socket_stays_open(
    client, alice, room, frame
):
    ws, _ = await connect(client, alice, room["id"])
    await ws.send_str(frame)
    error = await next_frame(ws, "error")
    assert set(error) == {"type", "message"} and isinstance(error["message"], str)
    assert error["message"]
    await ws.send_json({"type": "chat_message", "content": "still here"})
    assert (await chat(ws))["message"]["content"] == "still here"
    await ws.close()


async def test_a_binary_frame_gets_an_error_frame(client, alice, room):
    ws, _ = await connect(client, alice, room["id"])
    await ws.send_bytes(b"\x00\x01")
    await next_frame(ws, "error")
    await ws.send_json({"type": "chat_message", "content": "ok"})
    await chat(ws)
    await ws.close()


async def test_user_join_and_user_leave_frames_from_clients_are_accepted(client, alice, room):
    ws, _ = await connect(client, alice, room["id"])
    await ws.send_json({"type": "user_join"})
    await ws.send_json({"type": "user_leave"})
    await no_frame(ws, "error")
    assert not ws.closed
    await ws.close()


async def test_a_muted_member_gets_an_error_frame_and_stays_connected(
    client, core, alice, bob, room
):
    ws_b, _ = await connect(client, bob, room["id"])
    resp = await client.patch(
        f"/api/chat/rooms/{room['id']}/members/{bob.id}/",
        json={"is_muted": True},
        headers=alice.headers,
    )
    assert resp.status == 200, await resp.text()
    await ws_b.send_json({"type": "chat_message", "content": "shh"})
    await next_frame(ws_b, "error")
    await ws_b.send_json({"type": "typing", "is_typing": False})
    await no_frame(ws_b, "error")
    assert not ws_b.closed
    await ws_b.close()


@pytest.mark.parametrize("token", ["", "garbage", "a.b.c"])
async def test_a_bad_or_missing_token_closes_4001(client, room, token):
    ws = await client.ws_connect(f"/ws/chat/{room['id']}/?token={token}")
    await closed_with(ws, 4001)


async def test_a_refresh_token_is_no_access_token(client, alice, room):
    ws = await client.ws_connect(f"/ws/chat/{room['id']}/?token={alice.refresh_token}")
    await closed_with(ws, 4001)


async def test_an_unknown_room_closes_4004(client, alice):
    for ref in ("999", "room_00000000"):
        ws = await client.ws_connect(f"/ws/chat/{ref}/?token={alice.token}")
        await closed_with(ws, 4004)


async def test_a_private_room_closes_4003_for_a_non_member(client, alice, bob):
    private = await create_room(client, alice, room_type="private")
    ws = await client.ws_connect(f"/ws/chat/{private['id']}/?token={bob.token}")
    await closed_with(ws, 4003)
    ws, _ = await connect(client, alice, private["id"])
    await ws.close()


async def test_a_banned_member_cannot_open_a_socket_on_a_public_room(
    client, core, alice, bob, room
):
    await client.post(f"/api/chat/rooms/{room['id']}/join/", headers=bob.headers)
    await core.db.write(
        lambda conn: conn.execute(
            "UPDATE memberships SET is_banned = 1 WHERE user_id = ?", (bob.id,)
        )
    )
    ws = await client.ws_connect(f"/ws/chat/{room['id']}/?token={bob.token}")
    await closed_with(ws, 4003)
    resp = await client.get(f"/api/chat/rooms/{room['id']}/messages/", headers=bob.headers)
    assert resp.status == 200


async def test_a_socket_from_a_foreign_origin_is_refused(client, alice, room):
    with pytest.raises(WSServerHandshakeError) as refused:
        await client.ws_connect(
            f"/ws/chat/{room['id']}/?token={alice.token}",
            headers={"Origin": "https://evil.example"},
        )
    assert refused.value.status == 403
    own = f"http://{client.host}:{client.port}"
    ws, _ = await connect(client, alice, room["id"], headers={"Origin": own})
    await ws.close()


async def test_a_listed_origin_may_open_sockets(aiohttp_client, tmp_path):
    settings = Settings(data_dir=tmp_path / "data", cors_origins=("https://app.example",))
    client = await aiohttp_client(create_app(settings))
    alice = await register(client, "alice")
    ws, _ = await connect(client, alice, "global", headers={"Origin": "https://app.example"})
    await ws.close()
    with pytest.raises(WSServerHandshakeError):
        await client.ws_connect(
            f"/ws/chat/global/?token={alice.token}", headers={"Origin": "https://other.example"}
        )


async def test_the_server_pings_idle_sockets(aiohttp_client, tmp_path):
    settings = Settings(data_dir=tmp_path / "data", heartbeat_seconds=0.3)
    client = await aiohttp_client(create_app(settings))
    alice = await register(client, "alice")
    ws = await client.ws_connect(f"/ws/chat/global/?token={alice.token}", autoping=False)

    async def first_ping():
        while (await ws.receive()).type != WSMsgType.PING:
            pass

    await asyncio.wait_for(first_ping(), 3)
    await ws.close()


async def test_the_socket_path_works_without_its_trailing_slash(client, alice, room):
    ws = await client.ws_connect(f"/ws/chat/{room['id']}?token={alice.token}")
    assert (await next_frame(ws))["type"] == "connection_established"
    await ws.close()
