#!/usr/bin/env python3
"""The baseline bench/load.py measures Teahouse against: a minimal aiohttp broadcast server.

No auth, no storage, no rules. Same process model as Teahouse (one aiohttp process,
one writer task per socket fed by a queue) and the same URL shapes (/ws/chat/{room}/, and
/ws/user/ as a socket on room `global`, the one room the user-socket benches use),
so the difference in the figures is what Teahouse's rules and durable storage cost.
Each chat_message frame is encoded once and queued to every socket in the room,
the sender included (that echo is the sender's acknowledgement).

  python bench/raw_server.py --port 9001
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
from datetime import UTC, datetime

from aiohttp import WSMsgType, web

rooms: dict[str, set[asyncio.Queue]] = {}
message_ids = itertools.count(1)
encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


async def healthz(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


async def write(ws: web.WebSocketResponse, queue: asyncio.Queue) -> None:
    try:
        while True:
            await ws.send_str(await queue.get())
    except (ConnectionError, RuntimeError):
        pass


def broadcast(room: str, frame: dict) -> None:
    text = encode(
        {
            "type": "chat_message",
            "message": {
                "id": next(message_ids),
                "content": frame.get("content"),
                "created_at": datetime.now(UTC).isoformat(),
                "client_id": frame.get("client_id"),
            },
        }
    )
    for queue in rooms.get(room, ()):
        queue.put_nowait(text)


async def chat_socket(request: web.Request) -> web.WebSocketResponse:
    ws = web.WebSocketResponse(max_msg_size=64 * 1024)
    await ws.prepare(request)
    room = request.match_info.get("room", "global")
    queue: asyncio.Queue = asyncio.Queue()
    await ws.send_str(encode({"type": "connection_established"}))
    rooms.setdefault(room, set()).add(queue)
    writer = asyncio.create_task(write(ws, queue))
    try:
        async for msg in ws:
            if msg.type == WSMsgType.TEXT:
                frame = json.loads(msg.data)
                if frame.get("type") == "chat_message":
                    broadcast(room, frame)
    finally:
        rooms[room].discard(queue)
        writer.cancel()
    return ws


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    app = web.Application()
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/ws/chat/{room}/", chat_socket)
    app.router.add_get("/ws/user/", chat_socket)
    print(f"raw broadcast server on http://{args.host}:{args.port}/", flush=True)
    web.run_app(app, host=args.host, port=args.port, print=None, shutdown_timeout=3)


if __name__ == "__main__":
    main()
