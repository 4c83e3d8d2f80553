"""A socket's way in (chat/web/socket_admission.py): sign-ins in flight have a budget of
their own (CHAT_SOCKET_SIGN_INS), so a crowd of sockets queues and gets in, in turn,
and a reconnect storm resyncs everyone while REST still answers."""

from __future__ import annotations

import asyncio
import time

import aiohttp
import pytest

from chat.settings import Settings, SettingsError, load_settings
from tests.helpers import NO_RATE_LIMITS, next_frame
from tests.test_first_contact import count_writes
from tests.test_join_notices import newcomer

BUDGET = 4


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(data_dir=tmp_path / "data", socket_sign_ins=BUDGET, **NO_RATE_LIMITS)


async def test_more_sockets_than_the_sign_in_budget_queue_and_all_get_in(client, core):
    """Forty newcomers at once with a budget of four: never more than four first-contact
    writes are in flight (the commits show it), and every socket is greeted."""
    batches = await count_writes(core)
    people = [newcomer(core, 7000 + i, f"queued{i}") for i in range(40)]
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:

        async def first_contact(person):
            ws = await session.ws_connect(client.make_url(f"/ws/user/?token={person.token}"))
            hello = await next_frame(ws, "connection_established", timeout=60)
            await ws.close()
            return hello["user"]["username"]

        names = await asyncio.gather(*(first_contact(p) for p in people))
    assert names == [p.username for p in people]
    assert sum(batches) >= 40 and max(batches) <= BUDGET, batches
    assert not core.hub.sign_ins.locked()  # every place was given back


async def test_a_refused_sign_in_gives_its_place_back(client, core):
    async with aiohttp.ClientSession() as session:
        for _ in range(BUDGET + 2):
            ws = await session.ws_connect(client.make_url("/ws/user/?token=not-a-token"))
            assert (await ws.receive()).type == aiohttp.WSMsgType.CLOSE and ws.close_code == 4001
    person = newcomer(core, 7100, "after")
    async with aiohttp.ClientSession() as session:
        ws = await session.ws_connect(client.make_url(f"/ws/user/?token={person.token}"))
        await next_frame(ws, "connection_established")
        await ws.close()


async def test_a_reconnect_storm_resyncs_everyone_and_rest_answers_during_it(client, core):
    """120 sockets on `global` dropped at once come back with ?since=: each gets exactly
    the messages it missed, in order, and a REST call made while they queue answers
    before the last of them is through."""
    sender, *people = [newcomer(core, 7200 + i, f"storm{i}") for i in range(121)]
    headers = sender.headers
    room = await (await client.get("/api/chat/rooms/global/", headers=headers)).json()
    path = f"/ws/chat/{room['id']}/"
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:

        async def connect(person, since=""):
            query = f"?token={person.token}" + (f"&since={since}" if since else "")
            ws = await session.ws_connect(client.make_url(path + query))
            await next_frame(ws, "connection_established", timeout=60)
            return ws

        sockets = await asyncio.gather(*(connect(p) for p in people))

        async def post(text):
            resp = await client.post(
                "/api/chat/rooms/global/messages/", json={"content": text}, headers=headers
            )
            assert resp.status == 201, await resp.text()
            return (await resp.json())["id"]

        seen = await post("before the storm")
        await asyncio.gather(*(ws.close() for ws in sockets))
        missed = [await post(f"missed {n}") for n in range(3)]

        async def back(person):
            ws = await connect(person, since=seen)
            got = [(await next_frame(ws, "chat_message", timeout=60))["message"]["id"]]
            while len(got) < len(missed):
                got.append((await next_frame(ws, "chat_message", timeout=60))["message"]["id"])
            return ws, got, time.monotonic()

        storm = asyncio.gather(*(back(p) for p in people))
        await asyncio.sleep(0)
        resp = await client.get("/api/chat/rooms/global/messages/", headers=headers)
        answered = time.monotonic()
        assert resp.status == 200
        returned = await storm
        assert all(got == missed for _, got, _ in returned)  # none lost, none twice
        assert answered < max(at for _, _, at in returned)
        await asyncio.gather(*(ws.close() for ws, _, _ in returned))
    assert not core.hub.sign_ins.locked()


def test_the_sign_in_budget_is_a_setting_of_at_least_one():
    assert load_settings(env={"CHAT_SOCKET_SIGN_INS": "16"}).socket_sign_ins == 16
    assert load_settings(env={}).socket_sign_ins == 128
    with pytest.raises(SettingsError):
        load_settings(env={"CHAT_SOCKET_SIGN_INS": "0"})


async def test_a_socket_offered_compression_declines_it_and_holds_no_compressor(client, core):
    """Browsers offer permessage-deflate; accepting it cost every socket a zlib
    compressor (~90 KiB) once its greeting was sent, for frames the hub sends
    uncompressed anyway. Declined, the socket works as before."""
    person = newcomer(core, 7400, "deflated")
    ws = await client.ws_connect(f"/ws/user/?token={person.token}", compress=15)
    assert ws.compress == 0  # the server's handshake named no extension
    await next_frame(ws, "connection_established")
    await ws.send_json({"type": "language", "language": "zh"})
    assert (await next_frame(ws, "language_ok"))["language"] == "zh"
    await ws.close()
