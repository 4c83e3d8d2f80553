"""Web Push with several processes on one Redis: the process that committed a message
pushes it, exactly once; a tab open on another process counts as a live socket; the
processes share one VAPID key (the data dir's, or CHAT_VAPID_PRIVATE_KEY)."""

from __future__ import annotations

import asyncio

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from chat.app import create_app
from chat.keys import pusher_key
from chat.push.vapid import Vapid, b64url
from chat.settings import load_settings
from tests.helpers import connect, make_room, post_message, register
from tests.redisproc import RedisServer
from tests.test_backplane import settled, shared_settings
from tests.test_push import LOOPBACK, guard, no_push, service, subscribe  # noqa: F401


@pytest.fixture
def redis_server(tmp_path):
    server = RedisServer(tmp_path / "redis").start()
    yield server
    server.stop()


@pytest.fixture
async def pair(aiohttp_client, tmp_path, redis_server, service):
    settings = shared_settings(
        tmp_path,
        redis_server,
        push_grace_seconds=0.0,
        outbound_allow=LOOPBACK,
        outbound_ca_file=str(service.cert),
    )
    return (await aiohttp_client(create_app(settings)), await aiohttp_client(create_app(settings)))


async def people_in_a_room(a, b):
    await register(a, "admin")
    alice, bob = await register(a, "alice"), await register(a, "bob")
    room = await make_room(a, bob, name="tea", is_public=True)
    resp = await a.post(f"/api/chat/rooms/{room['id']}/join/", headers=alice.headers)
    assert resp.status in (200, 201)
    await settled(a, b)
    return alice, bob, room


async def test_the_committing_process_pushes_exactly_once(pair, service):
    a, b = pair
    alice, bob, room = await people_in_a_room(a, b)
    await subscribe(b, alice, service.browser("a"))
    await post_message(a, bob, room, "@alice from process A")
    await post_message(b, bob, room, "@alice from process B")
    bodies = sorted([(await service.next_delivery()).payload["body"] for _ in range(2)])
    assert bodies == ["@alice from process A", "@alice from process B"]
    await no_push(service)
    assert a.server.app[pusher_key].sent == 1 and b.server.app[pusher_key].sent == 1


async def test_a_tab_open_on_another_process_means_no_push(pair, service):
    a, b = pair
    alice, bob, room = await people_in_a_room(a, b)
    await subscribe(a, alice, service.browser("a"))
    ws = await connect(b, alice, room)
    for _ in range(100):  # B's presence reaches A over Redis
        if a.server.app[pusher_key].core.hub.is_online_in(room["id"], alice.id):
            break
        await asyncio.sleep(0.05)
    await post_message(a, bob, room, "@alice you are here")
    await no_push(service)
    await ws.close()


async def test_the_processes_share_one_vapid_key(pair):
    a, b = pair
    assert a.server.app[pusher_key].vapid.public_key == b.server.app[pusher_key].vapid.public_key


async def test_the_setting_supplies_the_key(aiohttp_client, tmp_path, service):
    scalar = ec.generate_private_key(ec.SECP256R1()).private_numbers().private_value
    settings = load_settings(
        env={
            "CHAT_DATA_DIR": str(tmp_path / "data"),
            "CHAT_VAPID_PRIVATE_KEY": b64url(scalar.to_bytes(32, "big")),
        }
    )
    client = await aiohttp_client(create_app(settings))
    expected = ec.derive_private_key(scalar, ec.SECP256R1())
    assert (
        client.server.app[pusher_key].vapid.public_key == Vapid(expected, "mailto:x@y").public_key
    )
    assert not settings.vapid_path.exists()
