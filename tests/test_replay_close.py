"""A client that closes while its ?since= replay is being sent gets the close frame
back at once, not after megabytes of replay (RFC 6455: answer a close "as soon as
practical"), and frames it sent before closing are still handled."""

from __future__ import annotations

import asyncio

from aiohttp import WSMsgType

from tests.helpers import make_room, post_message

REPLAYED = 300


async def frames_before_close(ws) -> int:
    count = 0
    while (msg := await asyncio.wait_for(ws.receive(), 10)).type == WSMsgType.TEXT:
        count += 1
    assert msg.type == WSMsgType.CLOSE and msg.data == 1000, msg
    return count


async def test_a_client_closing_during_a_since_replay_gets_the_close_frame_at_once(client, alice):
    room = await make_room(client, alice)
    for n in range(REPLAYED):
        await post_message(client, alice, room, f"message {n} " + "x" * 4000)
    ws = await client.ws_connect(
        f"/api/v1/chatroom/ws/{room['id']}/{alice.token}?since=0", autoclose=False
    )
    await ws.send_frame((1000).to_bytes(2, "big"), WSMsgType.CLOSE)
    assert await frames_before_close(ws) < REPLAYED // 2


async def test_frames_sent_during_a_replay_are_handled_after_it(client, alice):
    room = await make_room(client, alice)
    for n in range(40):
        await post_message(client, alice, room, f"message {n}")
    ws = await client.ws_connect(f"/ws/chat/{room['id']}/?token={alice.token}&since=0")
    await ws.send_json({"type": "chat_message", "content": "sent while replaying"})
    contents = []
    while "sent while replaying" not in contents:
        frame = await asyncio.wait_for(ws.receive_json(), 10)
        if frame["type"] == "chat_message":
            contents.append(frame["message"]["content"])
    assert contents[:40] == [f"message {n}" for n in range(40)]
    await ws.close()
