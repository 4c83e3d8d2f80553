"""A scheduled message survives a server crash and is sent once after the restart."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta, timezone

import aiohttp
import pytest

from tests.pgcluster import both_engines
from tests.serverproc import ServerProcess, register_at

pytestmark = pytest.mark.slow


@both_engines
async def test_a_scheduled_message_arrives_after_a_server_restart(tmp_path, server_env):
    server = ServerProcess(tmp_path / "data", **server_env).start()
    base = server.base
    try:
        async with aiohttp.ClientSession() as session:
            token = (await register_at(session, base, "alice"))["access_token"]
            headers = {"Authorization": f"Bearer {token}"}
            await session.post(f"{base}/api/chat/rooms/global/join/", headers=headers)
            send_at = (datetime.now(UTC) + timedelta(seconds=3)).isoformat()
            async with session.post(
                f"{base}/api/chat/rooms/global/scheduled/",
                headers=headers,
                json={"content": "tomorrow 9:00 standup", "send_at": send_at},
            ) as resp:
                assert resp.status == 201, await resp.text()
        server.kill()  # a crash: nothing runs at send_at
        await asyncio.sleep(3.5)  # the time passes while the server is down
    finally:
        server.kill()

    server.start()
    try:
        async with aiohttp.ClientSession() as session:
            ws = await session.ws_connect(f"{base}/ws/chat/global/?token={token}&since=0")
            contents = []

            async def read_until_sent():
                while "tomorrow 9:00 standup" not in contents:
                    frame = json.loads((await ws.receive()).data)
                    if frame["type"] == "chat_message":
                        contents.append(frame["message"]["content"])

            await asyncio.wait_for(read_until_sent(), 10)
            await ws.close()
            for _ in range(40):  # the outcome is recorded in the commit after the send
                async with session.get(
                    f"{base}/api/chat/scheduled/?state=sent",
                    headers={"Authorization": f"Bearer {token}"},
                ) as resp:
                    sent = [s["content"] for s in await resp.json()]
                if sent:
                    break
                await asyncio.sleep(0.05)
            assert sent == ["tomorrow 9:00 standup"]
            async with session.get(
                f"{base}/api/chat/rooms/global/messages/",
                headers={"Authorization": f"Bearer {token}"},
            ) as resp:
                stored = [m["content"] for m in (await resp.json())["messages"]]
            assert stored.count("tomorrow 9:00 standup") == 1
    finally:
        server.stop()
