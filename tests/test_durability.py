"""An acknowledged message survives the server being killed (SIGKILL) mid-traffic."""
from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import aiohttp
import pytest

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def start_server(data_dir: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHAT_")}
    process = subprocess.Popen(
        [sys.executable, "server.py", "--port", str(port), "--data-dir", str(data_dir)],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    async with aiohttp.ClientSession() as session:
        for _ in range(150):
            try:
                async with session.get(f"{base}/healthz") as resp:
                    if resp.status == 200:
                        return process, base
            except aiohttp.ClientConnectionError:
                pass
            if process.poll() is not None:
                break
            await asyncio.sleep(0.1)
    process.kill()
    raise AssertionError("the server did not start")


def kill(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)


async def stored_contents(session, base: str, token: str, room: str) -> dict[int, str]:
    headers = {"Authorization": f"Bearer {token}"}
    found: dict[int, str] = {}
    page = 1
    while True:
        async with session.get(f"{base}/api/chat/rooms/{room}/messages/",
                               params={"page": page, "page_size": 100}, headers=headers) as resp:
            assert resp.status == 200
            body = await resp.json()
        found.update({m["id"]: m["content"] for m in body["messages"]})
        if page * 100 >= body["total"]:
            return found
        page += 1


async def test_acknowledged_messages_survive_a_kill_9(tmp_path):
    data_dir = tmp_path / "data"
    process, base = await start_server(data_dir)
    acknowledged: dict[int, str] = {}
    try:
        async with aiohttp.ClientSession() as session:
            async with session.post(f"{base}/api/auth/register",
                                    json={"username": "alice", "password": "correct horse"}) as resp:
                token = (await resp.json())["access_token"]
            ws = await session.ws_connect(f"{base}/ws/chat/global/?token={token}")
            for i in range(400):
                await ws.send_str(json.dumps({"type": "chat_message", "content": f"durable {i}",
                                              "client_id": f"d{i}"}))
            while len(acknowledged) < 150:
                msg = await asyncio.wait_for(ws.receive(), 10)
                frame = json.loads(msg.data)
                if frame["type"] == "chat_message" and frame["message"]["client_id"]:
                    acknowledged[frame["message"]["id"]] = frame["message"]["content"]
            kill(process)
            await ws.close()
    finally:
        kill(process)

    process, base = await start_server(data_dir)
    try:
        async with aiohttp.ClientSession() as session:
            async with session.post(f"{base}/api/auth/login",
                                    json={"username": "alice", "password": "correct horse"}) as resp:
                assert resp.status == 200
                token = (await resp.json())["access_token"]
            stored = await stored_contents(session, base, token, "global")
    finally:
        kill(process)
    missing = {i: c for i, c in acknowledged.items() if stored.get(i) != c}
    assert not missing, f"{len(missing)} acknowledged messages lost"
