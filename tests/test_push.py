"""Web Push end to end: the real server pushes to a local push service over TLS, which
checks the VAPID JWT and decrypts each payload with the subscription's own keys.
The dial guard fails any test that connects to anything but loopback."""

from __future__ import annotations

import asyncio
import ipaddress
import os
import stat

import pytest

from chat.app import create_app
from chat.keys import pusher_key
from chat.push.vapid import load_vapid
from chat.settings import Settings
from tests.helpers import NO_RATE_LIMITS, assert_error, connect, make_room, post_message, register
from tests.pushservice import DialGuard, PushService

LOOPBACK = (ipaddress.ip_network("127.0.0.1/32"),)
QUIET = 0.6  # how long "no push" is watched for, well past a grace of 0


@pytest.fixture
async def guard():
    watch = DialGuard(asyncio.get_running_loop())
    yield watch
    watch.close()


@pytest.fixture
async def service(tmp_path, guard):
    found = await PushService(tmp_path).start()
    yield found
    await found.stop()


def push_settings(tmp_path, service, **extra) -> Settings:
    values = dict(
        data_dir=tmp_path / "data",
        heartbeat_seconds=5.0,
        push_grace_seconds=0.0,
        outbound_allow=LOOPBACK,
        outbound_ca_file=str(service.cert),
        push_retry_seconds=0.05,
        **NO_RATE_LIMITS,
    )
    values.update(extra)
    return Settings(**values)


@pytest.fixture
def settings(tmp_path, service):
    return push_settings(tmp_path, service)


async def subscribe(client, person, browser) -> dict:
    resp = await client.post(
        "/api/chat/push/devices/", json=browser.subscription("laptop"), headers=person.headers
    )
    assert resp.status == 201, await resp.text()
    return await resp.json()


async def no_push(service, wait: float = QUIET) -> None:
    await asyncio.sleep(wait)
    assert service.received == []


async def shared_room(client, owner, *others) -> dict:
    room = await make_room(client, owner, name="tea", is_public=True)
    for person in others:
        resp = await client.post(f"/api/chat/rooms/{room['id']}/join/", headers=person.headers)
        assert resp.status in (200, 201), await resp.text()
    return room


async def test_a_mention_reaches_an_away_member_signed_and_encrypted(client, service, alice, bob):
    browser = service.browser("alice-laptop")
    await subscribe(client, alice, browser)
    await subscribe(client, bob, service.browser("bob-phone"))
    room = await shared_room(client, bob, alice)
    message = await post_message(client, bob, room, "@alice @bob the kettle is on " + "x" * 200)
    push = await service.next_delivery()
    assert push.token == "alice-laptop"
    assert push.payload["room_id"] == room["id"] and push.payload["message_id"] == message["id"]
    assert "bob" in push.payload["title"] and "tea" in push.payload["title"]
    assert push.payload["body"].startswith("@alice @bob the kettle is on")
    assert len(push.payload["body"]) <= 101
    assert push.payload["url"] == f"/#{room['id']}/{message['id']}"
    assert push.headers["TTL"] == "86400"
    assert push.claims["aud"] == f"https://127.0.0.1:{service.port}"
    await no_push(service, 0.2)  # once, and never to the sender


async def test_no_push_while_a_tab_is_open(client, service, alice, bob):
    await subscribe(client, alice, service.browser("a"))
    room = await shared_room(client, bob, alice)
    ws = await connect(client, alice, room)
    await post_message(client, bob, room, "@alice are you there")
    await no_push(service)
    await ws.close()


async def test_a_direct_message_reaches_an_away_member(client, service, alice, bob):
    await subscribe(client, alice, service.browser("a"))
    resp = await client.post("/api/chat/direct/", json={"username": "alice"}, headers=bob.headers)
    direct = await resp.json()
    await post_message(client, bob, direct, "lunch?")
    push = await service.next_delivery()
    assert push.payload["body"] == "lunch?" and push.payload["room_id"] == direct["id"]


async def test_an_invitation_reaches_an_away_member(client, service, alice, bob):
    await subscribe(client, alice, service.browser("a"))
    room = await make_room(client, bob, name="secret", is_public=False)
    resp = await client.post(
        f"/api/chat/rooms/{room['id']}/invite/", json={"username": "alice"}, headers=bob.headers
    )
    assert resp.status in (200, 201), await resp.text()
    push = await service.next_delivery()
    assert push.payload["room_id"] == room["id"] and "secret" in push.payload["title"]


async def test_do_not_disturb_silences_pushes(client, service, alice, bob):
    await subscribe(client, alice, service.browser("a"))
    room = await shared_room(client, bob, alice)
    resp = await client.put(
        "/api/chat/status/", json={"text": "focus", "dnd": True}, headers=alice.headers
    )
    assert resp.status == 200, await resp.text()
    await post_message(client, bob, room, "@alice ping")
    await no_push(service)


async def test_a_room_set_to_nothing_sends_no_push(client, service, alice, bob):
    await subscribe(client, alice, service.browser("a"))
    room = await shared_room(client, bob, alice)
    resp = await client.patch(
        f"/api/chat/rooms/{room['id']}/notifications/",
        json={"notify_level": "nothing"},
        headers=alice.headers,
    )
    assert resp.status == 200, await resp.text()
    await post_message(client, bob, room, "@alice ping")
    await no_push(service)


async def test_a_muted_conversation_pushes_only_mentions(client, service, alice, bob):
    await subscribe(client, alice, service.browser("a"))
    resp = await client.post("/api/chat/direct/", json={"username": "alice"}, headers=bob.headers)
    direct = await resp.json()
    resp = await client.patch(
        f"/api/chat/rooms/{direct['id']}/notifications/",
        json={"room_muted": True},
        headers=alice.headers,
    )
    assert resp.status == 200, await resp.text()
    await post_message(client, bob, direct, "just chatting")
    await no_push(service)
    await post_message(client, bob, direct, "@alice this one matters")
    assert (await service.next_delivery()).payload["body"] == "@alice this one matters"


async def test_the_private_setting_says_only_new_message(tmp_path, aiohttp_client, service):
    client = await aiohttp_client(create_app(push_settings(tmp_path, service, push_private=True)))
    await register(client, "admin")
    alice, bob = await register(client, "alice"), await register(client, "bob")
    await subscribe(client, alice, service.browser("a"))
    room = await shared_room(client, bob, alice)
    message = await post_message(client, bob, room, "@alice the merger is off")
    push = await service.next_delivery()
    assert push.payload["body"] == "New message" and "bob" not in push.payload["title"]
    assert push.payload["message_id"] == message["id"]


async def test_retries_after_503_and_429_then_delivers_once(client, service, alice, bob):
    await subscribe(client, alice, service.browser("a"))
    service.answers["a"] = [503, 429]
    room = await shared_room(client, bob, alice)
    await post_message(client, bob, room, "@alice third time lucky")
    assert (await service.next_delivery()).payload["body"] == "@alice third time lucky"
    assert service.hits["a"] == 3
    assert client.server.app[pusher_key].sent == 1


async def test_a_gone_subscription_is_deleted(client, service, alice, bob):
    await subscribe(client, alice, service.browser("a"))
    service.answers["a"] = [410]
    room = await shared_room(client, bob, alice)
    await post_message(client, bob, room, "@alice hello?")
    for _ in range(50):
        resp = await client.get("/api/chat/push/devices/", headers=alice.headers)
        if await resp.json() == []:
            break
        await asyncio.sleep(0.1)
    assert await resp.json() == []
    assert service.hits["a"] == 1 and client.server.app[pusher_key].failed == 1


async def test_a_redirect_is_not_followed(client, service, alice, bob):
    await subscribe(client, alice, service.browser("a"))
    service.answers["a"] = [307]
    room = await shared_room(client, bob, alice)
    await post_message(client, bob, room, "@alice over there")
    await no_push(service)
    assert service.hits.get("elsewhere") is None and service.hits["a"] == 1
    assert client.server.app[pusher_key].failed == 1


async def test_devices_are_listed_and_removed_by_their_owner_only(client, service, alice, bob):
    device = await subscribe(client, alice, service.browser("a"))
    assert device["push_service"] == "127.0.0.1" and device["label"] == "laptop"
    assert "endpoint" not in device
    resp = await client.get("/api/chat/push/devices/", headers=bob.headers)
    assert await resp.json() == []
    resp = await client.delete(f"/api/chat/push/devices/{device['id']}/", headers=bob.headers)
    await assert_error(resp, 404, "channels")
    resp = await client.delete(f"/api/chat/push/devices/{device['id']}/", headers=alice.headers)
    assert resp.status == 204
    resp = await client.get("/api/chat/push/devices/", headers=alice.headers)
    assert await resp.json() == []


@pytest.mark.parametrize(
    "endpoint",
    [
        "http://push.example.com/x",
        "https://u:p@push.example.com/x",
        "https://push.example.com/" + "x" * 1100,
        "not a url",
        7,
    ],
)
async def test_a_bad_endpoint_is_refused_at_subscription(client, service, alice, endpoint):
    body = {**service.browser("a").subscription(), "endpoint": endpoint}
    resp = await client.post("/api/chat/push/devices/", json=body, headers=alice.headers)
    await assert_error(resp, 400, "channels")


async def test_bad_keys_are_refused_at_subscription(client, service, alice):
    body = service.browser("a").subscription()
    body["keys"]["p256dh"] = body["keys"]["p256dh"][:-4]
    resp = await client.post("/api/chat/push/devices/", json=body, headers=alice.headers)
    await assert_error(resp, 400, "channels")


async def test_the_vapid_key_is_made_once_private_and_kept(client, service, settings):
    path = settings.vapid_path
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    resp = await client.get("/api/chat/push/key/", headers={})
    assert resp.status in (401, 403)  # only signed-in people ask for it
    key = client.server.app[pusher_key].vapid.public_key
    assert load_vapid(None, path, "mailto:x@example.com", 0o600).public_key == key
