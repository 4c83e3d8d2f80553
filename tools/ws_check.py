#!/usr/bin/env python3
"""Check a v1 chat room end to end: two users, one room, messages and typing both ways.

Connects two users to /api/v1/chatroom/ws/{room_id}/{token} (seed 000, section 4),
each sends a message and a typing notice every --interval seconds for --duration
seconds, then waits for stragglers and prints what each side saw.

Passes (exit 0) when every message either side sent reached both sides (the sender's
own echo included, matched by client_id) and each side saw the other typing. Exits 1
when anything sent was not received, a socket closed early or the server answered an
error frame; 2 when a socket could not be opened.

Tokens come from `python server.py token NAME`.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import binascii
import json
import sys
import time
from dataclasses import dataclass, field

import aiohttp

EXAMPLE = """example:
  python tools/ws_check.py --room-id 1 --token1 "$(python server.py token alice)" \\
      --token2 "$(python server.py token bob)" --duration 30
"""
CONNECT_TIMEOUT = 10.0
ONLINE_WAIT = 2.0  # a user already online in another tab gets no user_online
DRAIN_SECONDS = 5.0


@dataclass
class Side:
    label: str
    token: str
    user_id: int | None = None
    username: str = "?"
    sent: dict[str, str] = field(default_factory=dict)  # client_id -> content
    typing_sent: int = 0
    seen: dict[str, int] = field(default_factory=dict)  # frame type -> count
    messages: set[str] = field(default_factory=set)  # client_ids received
    typing_from: dict[int, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    close_code: int | None = None
    ready: asyncio.Event = field(default_factory=asyncio.Event)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ws_check.py",
        description=__doc__,
        epilog=EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--room-id", required=True, help="room id (or slug) to test in")
    parser.add_argument("--token1", required=True, help="first user's access token (JWT)")
    parser.add_argument("--token2", required=True, help="second user's access token (JWT)")
    parser.add_argument(
        "--duration",
        type=float,
        default=60.0,
        help="seconds to keep exchanging messages (default 60)",
    )
    parser.add_argument(
        "--base-url",
        default="ws://localhost:8000",
        help="WebSocket server base URL (default ws://localhost:8000)",
    )
    parser.add_argument(
        "--interval",
        type=float,
        default=1.0,
        help="seconds between one user's messages (default 1)",
    )
    parser.add_argument("--quiet", action="store_true", help="print only the summary")
    return parser


def socket_url(base: str, room: str, token: str) -> str:
    base = base.rstrip("/")
    if base.startswith(("http://", "https://")):
        base = "ws" + base[4:]
    return f"{base}/api/v1/chatroom/ws/{room}/{token}"


def describe(frame: dict) -> str:
    kind = frame.get("type")
    who = frame.get("username")
    if kind == "message":
        return f"message #{frame.get('message_id')} from {who}: {frame.get('content')!r}"
    if kind == "error":
        return f"error: {frame.get('message')}"
    if kind in ("join", "leave"):
        return f"{kind}: {frame.get('content')!r}"
    return f"{kind} {who or ''}".rstrip()


def record(side: Side, frame: dict, quiet: bool) -> None:
    kind = str(frame.get("type"))
    side.seen[kind] = side.seen.get(kind, 0) + 1
    if kind == "user_online" and side.user_id in (None, frame.get("user_id")):
        side.user_id, side.username = frame.get("user_id"), str(frame.get("username"))
        side.ready.set()
    elif kind == "message" and frame.get("client_id"):
        side.messages.add(frame["client_id"])
    elif kind == "typing":
        uid = frame.get("user_id")
        side.typing_from[uid] = side.typing_from.get(uid, 0) + 1
    elif kind == "error":
        side.errors.append(str(frame.get("message")))
    if not quiet:
        print(f"[{side.label} {side.username}] {describe(frame)}", flush=True)


async def read(side: Side, ws: aiohttp.ClientWebSocketResponse, quiet: bool) -> None:
    async for msg in ws:
        if msg.type == aiohttp.WSMsgType.TEXT:
            try:
                record(side, json.loads(msg.data), quiet)
            except ValueError:
                side.errors.append(f"not JSON: {msg.data[:80]!r}")
    side.close_code = ws.close_code
    side.ready.set()


async def talk(side: Side, ws, start_delay: float, interval: float, deadline: float) -> None:
    await asyncio.sleep(start_delay)
    n = 0
    try:
        while time.monotonic() < deadline and not ws.closed:
            n += 1
            await ws.send_json({"type": "typing"})
            side.typing_sent += 1
            client_id = f"ws_check-{side.label}-{n}-{time.time_ns()}"
            content = f"hello from {side.label} #{n}"
            side.sent[client_id] = content
            await ws.send_json({"type": "message", "content": content, "client_id": client_id})
            await asyncio.sleep(interval)
    except (ConnectionError, RuntimeError):
        pass  # the reader records the close; the summary reports it


def missing(sides: list[Side]) -> list[str]:
    """What went wrong, as printable lines: anything sent that some side did not
    receive, error frames, sockets the server closed."""
    problems = []
    everything = {cid: s.label for s in sides for cid in s.sent}
    for side in sides:
        lost = [cid for cid in everything if cid not in side.messages]
        if lost:
            problems.append(
                f"{side.label} did not receive {len(lost)} of {len(everything)} messages"
            )
    a, b = sides
    if a.user_id != b.user_id:
        for sender, receiver in ((a, b), (b, a)):
            if sender.typing_sent and not receiver.typing_from.get(sender.user_id):
                problems.append(f"{receiver.label} never saw {sender.label} typing")
    for side in sides:
        if side.errors:
            problems.append(f"{side.label} got error frames: {'; '.join(side.errors[:3])}")
        if side.close_code is not None:
            problems.append(f"{side.label}'s socket closed early (code {side.close_code})")
    return problems


async def drain(sides: list[Side]) -> None:
    deadline = time.monotonic() + DRAIN_SECONDS
    while time.monotonic() < deadline and missing(sides):
        await asyncio.sleep(0.05)


def identify(side: Side) -> None:
    """Who the token names (claims sub, username), read without verifying it."""
    try:
        payload = side.token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        side.user_id, side.username = int(claims["sub"]), str(claims.get("username", "?"))
    except (IndexError, KeyError, TypeError, ValueError, binascii.Error):
        side.user_id = None


async def open_side(session, args, side: Side, quiet: bool):
    """The open socket once the server has registered it (its user_online, or a pause)."""
    identify(side)
    url = socket_url(args.base_url, args.room_id, side.token)
    ws = await asyncio.wait_for(session.ws_connect(url, heartbeat=20.0), CONNECT_TIMEOUT)
    reader = asyncio.create_task(read(side, ws, quiet))
    try:
        await asyncio.wait_for(side.ready.wait(), ONLINE_WAIT)
    except TimeoutError:
        pass
    if ws.closed:
        await reader
        raise ConnectionError(f"{side.label}: socket closed with code {side.close_code}")
    return ws, reader


def summary(sides: list[Side], problems: list[str]) -> None:
    print("\n== summary ==")
    for side in sides:
        got = ", ".join(f"{k}={v}" for k, v in sorted(side.seen.items()))
        print(
            f"{side.label} ({side.username}, id {side.user_id}): sent {len(side.sent)} messages, "
            f"{side.typing_sent} typing; received {got or 'nothing'}"
        )
    print(
        "\n".join(f"FAIL: {p}" for p in problems)
        if problems
        else "OK: every message reached both users and each saw the other typing"
    )


async def run(args) -> int:
    sides = [Side("user1", args.token1), Side("user2", args.token2)]
    async with aiohttp.ClientSession() as session:
        opened = []
        try:
            for side in sides:
                opened.append(await open_side(session, args, side, args.quiet))
        except (TimeoutError, aiohttp.ClientError, ConnectionError, OSError) as exc:
            print(f"could not open the v1 socket: {exc or type(exc).__name__}", file=sys.stderr)
            for ws, reader in opened:
                await ws.close()
                await reader
            return 2
        deadline = time.monotonic() + args.duration
        await asyncio.gather(
            *(
                talk(side, ws, i * args.interval / 2, args.interval, deadline)
                for i, (side, (ws, _)) in enumerate(zip(sides, opened, strict=True))
            )
        )
        await drain(sides)
        problems = missing(sides)
        for ws, reader in opened:
            await ws.close()
            await reader
    summary(sides, problems)
    return 1 if problems else 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return asyncio.run(run(args))


if __name__ == "__main__":
    sys.exit(main())
