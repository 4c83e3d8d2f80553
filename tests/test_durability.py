"""An acknowledged message survives the server being killed (SIGKILL) mid-traffic, on
either engine (on PostgreSQL the database outlives the process)."""

from __future__ import annotations

import asyncio
import json

import aiohttp
import pytest

from tests.pgcluster import both_engines
from tests.serverproc import ServerProcess, register_at

pytestmark = pytest.mark.slow


async def stored_contents(session, base: str, token: str, room: str) -> dict[int, str]:
    headers = {"Authorization": f"Bearer {token}"}
    found: dict[int, str] = {}
    page = 1
    while True:
        async with session.get(
            f"{base}/api/chat/rooms/{room}/messages/",
            params={"page": page, "page_size": 100},
            headers=headers,
        ) as resp:
            assert resp.status == 200
            body = await resp.json()
        found.update({m["id"]: m["content"] for m in body["messages"]})
        if page * 100 >= body["total"]:
            return found
        page += 1


@both_engines
async def test_acknowledged_messages_survive_a_kill_9(tmp_path, server_env):
    server = ServerProcess(tmp_path / "data", **server_env).start()
    base = server.base
    acknowledged: dict[int, str] = {}
    try:
        async with aiohttp.ClientSession() as session:
            token = (await register_at(session, base, "alice"))["access_token"]
            ws = await session.ws_connect(f"{base}/ws/chat/global/?token={token}")
            for i in range(400):
                await ws.send_str(
                    json.dumps(
                        {"type": "chat_message", "content": f"durable {i}", "client_id": f"d{i}"}
                    )
                )
            while len(acknowledged) < 150:
                msg = await asyncio.wait_for(ws.receive(), 10)
                frame = json.loads(msg.data)
                if frame["type"] == "chat_message" and frame["message"]["client_id"]:
                    acknowledged[frame["message"]["id"]] = frame["message"]["content"]
            server.kill()
            await ws.close()
    finally:
        server.kill()

    server.start()
    try:
        async with aiohttp.ClientSession() as session:
            async with session.post(
                f"{base}/api/auth/login", json={"username": "alice", "password": "correct horse"}
            ) as resp:
                assert resp.status == 200
                token = (await resp.json())["access_token"]
            stored = await stored_contents(session, base, token, "global")
    finally:
        server.stop()
    missing = {i: c for i, c in acknowledged.items() if stored.get(i) != c}
    assert not missing, f"{len(missing)} acknowledged messages lost"
