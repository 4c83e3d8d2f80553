"""Scheduled work with several processes on one Redis: every process runs the scheduler,
and a scheduled message is still sent exactly once."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta, timezone

from tests.helpers import connect, make_room, next_frame, no_frame, register
from tests.test_backplane import pair, redis_server  # noqa: F401  (fixtures)


async def test_two_processes_send_each_scheduled_message_once(pair):  # noqa: F811
    a, b = pair
    alice = await register(a, "alice")
    room = await make_room(a, alice)
    send_at = (datetime.now(UTC) + timedelta(seconds=1.5)).isoformat()
    contents = [f"once {n}" for n in range(6)]
    for n, content in enumerate(contents):  # both processes' schedulers learn of items
        process = a if n % 2 else b
        resp = await process.post(
            f"/api/chat/rooms/{room['id']}/scheduled/",
            json={"content": content, "send_at": send_at},
            headers=alice.headers,
        )
        assert resp.status == 201, await resp.text()
    ws = await connect(b, alice, room)
    arrived = [
        (await next_frame(ws, "chat_message", timeout=8))["message"]["content"] for _ in contents
    ]
    await no_frame(ws, "chat_message", wait=1.0)
    assert sorted(arrived) == contents
    for _ in range(40):
        sent = await (await a.get("/api/chat/scheduled/?state=sent", headers=alice.headers)).json()
        if len(sent) == len(contents):
            break
        await asyncio.sleep(0.05)
    assert sorted(s["content"] for s in sent) == contents
    history = await (
        await a.get(f"/api/chat/rooms/{room['id']}/messages/?page_size=50", headers=alice.headers)
    ).json()
    assert (
        sorted(m["content"] for m in history["messages"] if m["content"].startswith("once"))
        == contents
    )
    await ws.close()
