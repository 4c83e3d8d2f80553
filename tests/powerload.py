"""Steady traffic over every dialect against a server process, recording each
acknowledgement, for the power-cut tests: v1 and channels sockets, simple and channels
REST sends, edits, reactions, read marks and uploads, in the global room.

Every client waits for the answer to one request before the next, so at a cut at most
one request per client is in flight: it may or may not have landed, and the checks in
tests/powercheck.py allow exactly that and nothing more.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import random
from dataclasses import dataclass, field

import aiohttp

from tests.serverproc import register_at

PASSWORD = "correct horse"
NAMES = ("alice", "bob", "carol")
CLIENT_ERRORS = (aiohttp.ClientError, ConnectionError, asyncio.TimeoutError, RuntimeError)


@dataclass
class Ledger:
    """What the server acknowledged, and the one request per client still unanswered."""

    messages: dict[int, str] = field(default_factory=dict)  # id -> content as sent
    edits: dict[int, str] = field(default_factory=dict)  # id -> last acknowledged edit
    pending_edits: dict[int, str] = field(default_factory=dict)  # id -> edit sent, unanswered
    reactions: set[tuple[int, str, str]] = field(default_factory=set)  # (message, username, emoji)
    uploads: dict[str, bytes] = field(default_factory=dict)  # stored name -> bytes
    read_upto: dict[str, int] = field(default_factory=dict)  # username -> message id
    tokens: dict[str, str] = field(default_factory=dict)  # username -> access token

    def count(self) -> int:
        return (
            len(self.messages)
            + len(self.edits)
            + len(self.reactions)
            + len(self.uploads)
            + len(self.read_upto)
        )


async def sign_up(session: aiohttp.ClientSession, base: str, ledger: Ledger) -> None:
    for name in NAMES:
        ledger.tokens[name] = (await register_at(session, base, name, PASSWORD))["access_token"]


def bearer(ledger: Ledger, name: str) -> dict:
    return {"Authorization": f"Bearer {ledger.tokens[name]}"}


# Per socket dialect: the send frame's type, the echo's message part, its id field.
SOCKETS = {
    "v1": ("message", lambda frame: frame, "message_id"),
    "channels": (
        "chat_message",
        lambda frame: frame.get("message") or {} if frame["type"] == "chat_message" else {},
        "id",
    ),
}


async def socket_sends(
    session, url: str, dialect: str, ledger: Ledger, stop: asyncio.Event
) -> None:
    """One socket sending in turn, each message acknowledged by its echo (its client_id)."""
    kind, message_of, id_field = SOCKETS[dialect]
    async with session.ws_connect(url) as ws:
        for n in itertools.count():
            if stop.is_set():
                return
            content, client_id = f"{dialect} {n} 茶", f"{dialect}-{n}"
            await ws.send_json({"type": kind, "content": content, "client_id": client_id})
            while (echo := message_of(await next_json(ws))).get("client_id") != client_id:
                pass
            ledger.messages[echo[id_field]] = content


async def rest_sends(session, base, ledger: Ledger, stop: asyncio.Event) -> None:
    """simple's /api/chat/send (carol) and channels' POST messages (alice), in turn."""
    for n in itertools.count():
        if stop.is_set():
            return
        content = f"rest {n} 三点"
        if n % 2:
            async with session.post(
                f"{base}/api/chat/send?room_id=global",
                json={"content": content},
                headers=bearer(ledger, "carol"),
            ) as resp:
                body = await answer(resp)
                ledger.messages[int(body["id"])] = content
        else:
            async with session.post(
                f"{base}/api/chat/rooms/global/messages/",
                json={"content": content},
                headers=bearer(ledger, "alice"),
            ) as resp:
                ledger.messages[(await answer(resp))["id"]] = content


async def edits_and_reactions(
    session, base, ledger: Ledger, stop: asyncio.Event, rng: random.Random
) -> None:
    """alice edits her own messages; bob reacts to anyone's and marks what he read."""
    for n in itertools.count():
        await asyncio.sleep(0.01)
        if stop.is_set():
            return
        if not ledger.messages:
            continue
        target = rng.choice(list(ledger.messages))
        if n % 3 == 0 and ledger.messages[target].startswith(("v1", "rest")):
            content = f"edited {n} 改"
            ledger.pending_edits[target] = content
            async with session.patch(
                f"{base}/api/chat/messages/{target}/",
                json={"content": content},
                headers=bearer(ledger, "alice"),
            ) as resp:
                if resp.status == 403:  # carol's simple sends are not alice's to edit
                    ledger.pending_edits.pop(target)
                    continue
                await answer(resp)
            ledger.edits[target] = ledger.pending_edits.pop(target)
        elif n % 3 == 1:
            emoji = (
                f":{rng.randrange(10**12)}:"  # never one already there: a toggle would take it back
            )
            async with session.post(
                f"{base}/api/chat/messages/{target}/reactions/",
                json={"emoji": emoji},
                headers=bearer(ledger, "bob"),
            ) as resp:
                await answer(resp)
            ledger.reactions.add((target, "bob", emoji))
        else:
            async with session.post(
                f"{base}/api/chat/messages/{target}/read/", headers=bearer(ledger, "bob")
            ) as resp:
                await answer(resp)
            ledger.read_upto["bob"] = max(ledger.read_upto.get("bob", 0), target)


async def uploads(session, base, ledger: Ledger, stop: asyncio.Event, rng: random.Random) -> None:
    for n in itertools.count():
        if stop.is_set():
            return
        data = (
            f"upload {n}\n"
            + "".join(rng.choice("茶馆abc\n") for _ in range(rng.randrange(1, 30000)))
        ).encode()
        form = aiohttp.FormData()
        form.add_field("file", data, filename=f"note-{n}.txt", content_type="text/plain")
        async with session.post(
            f"{base}/api/chat/upload?room_id=global", data=form, headers=bearer(ledger, "carol")
        ) as resp:
            body = await answer(resp)
        name = body["file_url"].split("?")[0].rsplit("/", 1)[1]
        ledger.uploads[name] = data
        ledger.messages[int(body["id"])] = body["content"]


async def next_json(ws) -> dict:
    message = await asyncio.wait_for(ws.receive(), 10)
    if message.type != aiohttp.WSMsgType.TEXT:
        raise ConnectionError(f"the socket closed ({message.type.name})")
    return json.loads(message.data)


async def answer(resp: aiohttp.ClientResponse) -> dict:
    if resp.status >= 300:
        raise RuntimeError(f"{resp.method} {resp.url.path}: {resp.status} {await resp.text()}")
    return await resp.json()


async def traffic(
    base: str, ledger: Ledger, seconds: float, rng: random.Random, at_the_end=None
) -> None:
    """All clients at once for `seconds`, then at_the_end() (the cut) while their requests
    are in flight; a client whose server died simply stops."""
    stop = asyncio.Event()
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=15)) as session:
        clients = [
            socket_sends(
                session,
                f"{base}/api/v1/chatroom/ws/global/{ledger.tokens['alice']}",
                "v1",
                ledger,
                stop,
            ),
            socket_sends(
                session,
                f"{base}/ws/chat/global/?token={ledger.tokens['bob']}",
                "channels",
                ledger,
                stop,
            ),
            rest_sends(session, base, ledger, stop),
            edits_and_reactions(session, base, ledger, stop, rng),
            uploads(session, base, ledger, stop, rng),
        ]
        tasks = [asyncio.create_task(quietly(client)) for client in clients]
        await asyncio.sleep(seconds)
        if at_the_end:
            at_the_end()
        stop.set()
        await asyncio.gather(*tasks)


async def quietly(client) -> None:
    try:
        await client
    except CLIENT_ERRORS:
        pass
