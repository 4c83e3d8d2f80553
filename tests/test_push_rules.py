"""Web Push: the grace period after the last tab closes, a notification read in time,
a member removed meanwhile, the SSRF rules of chat/outbound/, and the counters."""

from __future__ import annotations

import asyncio
import ipaddress
import time

import pytest

from chat.app import create_app
from chat.keys import pusher_key
from chat.outbound.address import Policy, Refused, check
from tests.helpers import connect, make_room, post_message, register
from tests.test_push import LOOPBACK, guard, no_push, push_settings, service, shared_room, subscribe  # noqa: F401 (fixtures)

GRACE = 1.5


async def start(aiohttp_client, tmp_path, service, **extra):
    client = await aiohttp_client(create_app(push_settings(tmp_path, service, **extra)))
    await register(client, "admin")
    return client, await register(client, "alice"), await register(client, "bob")


async def tab_closed_just_now(client, person, room) -> float:
    """The person's only tab closes; the time it closed."""
    ws = await connect(client, person, room)
    await ws.close()
    closed = time.monotonic()
    await asyncio.sleep(0.1)  # the server sees the close
    return closed


async def test_a_push_waits_out_the_grace_period_after_the_last_tab(
    aiohttp_client, tmp_path, service
):
    client, alice, bob = await start(aiohttp_client, tmp_path, service, push_grace_seconds=GRACE)
    await subscribe(client, alice, service.browser("a"))
    room = await shared_room(client, bob, alice)
    closed = await tab_closed_just_now(client, alice, room)
    await post_message(client, bob, room, "@alice back soon?")
    await service.next_delivery(timeout=GRACE + 5)
    assert time.monotonic() - closed >= GRACE - 0.1


async def test_a_notification_read_in_a_tab_during_the_grace_period_is_not_pushed(
    aiohttp_client, tmp_path, service
):
    client, alice, bob = await start(aiohttp_client, tmp_path, service, push_grace_seconds=GRACE)
    await subscribe(client, alice, service.browser("a"))
    room = await shared_room(client, bob, alice)
    await tab_closed_just_now(client, alice, room)
    await post_message(client, bob, room, "@alice read me")
    resp = await client.post("/api/chat/notifications/read-all/", headers=alice.headers)
    assert resp.status == 200, await resp.text()
    await no_push(service, GRACE + 0.5)


async def test_a_member_removed_during_the_grace_period_gets_no_push(
    aiohttp_client, tmp_path, service
):
    client, alice, bob = await start(aiohttp_client, tmp_path, service, push_grace_seconds=GRACE)
    await subscribe(client, alice, service.browser("a"))
    room = await make_room(client, bob, name="closed", is_public=False)
    resp = await client.post(
        f"/api/chat/rooms/{room['id']}/invite/", json={"username": "alice"}, headers=bob.headers
    )
    assert resp.status in (200, 201)
    resp = await client.post(f"/api/chat/rooms/{room['id']}/join/", headers=alice.headers)
    assert resp.status in (200, 201), await resp.text()
    service.received.clear()
    await tab_closed_just_now(client, alice, room)
    await post_message(client, bob, room, "@alice about the plan")
    resp = await client.patch(
        f"/api/chat/rooms/{room['id']}/members/{alice.id}/",
        json={"is_banned": True},
        headers=bob.headers,
    )
    assert resp.status == 200, await resp.text()
    await asyncio.sleep(GRACE + 0.5)
    assert [d for d in service.received if "plan" in d.payload["body"]] == []


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/push",
        "https://localhost/push",
        "https://10.1.2.3/push",
        "https://192.168.0.1/push",
        "https://172.16.0.1/push",
        "https://169.254.169.254/latest",
        "https://[::1]/push",
        "https://[fe80::1]/push",
        "https://[fc00::1]/push",
        "https://[::ffff:127.0.0.1]/push",
        "https://[::ffff:10.0.0.1]/push",
        "https://[2002:7f00:1::]/push",
        "https://0.0.0.0/push",
        "https://2130706433/push",
        "https://0x7f.0.0.1/push",
        "https://100.64.0.1/push",
        "https://224.0.0.1/push",
    ],
)
async def test_private_loopback_and_link_local_addresses_are_refused(url, guard):
    with pytest.raises(Refused) as refused:
        await check(url, Policy())
    assert refused.value.reason in ("private_address", "unresolvable")
    assert guard.dialled == []


@pytest.mark.parametrize(
    "url, reason",
    [
        ("http://192.0.2.1/push", "not_https"),
        ("https://user:pw@8.8.8.8/push", "userinfo"),
        ("https://8.8.8.8:8443/push", "port"),
        ("https://8.8.8.8:0/push", "port"),
        ("https://8.8.8.8/" + "x" * 2000, "too_long"),
        ("https:///push", "no_host"),
        ("https://[::1/push", "malformed"),
    ],
)
async def test_the_form_of_an_endpoint_is_checked(url, reason, guard):
    with pytest.raises(Refused) as refused:
        await check(url, Policy())
    assert refused.value.reason == reason
    assert guard.dialled == []


async def test_a_public_address_on_443_passes_and_is_pinned():
    target = await check("https://8.8.8.8/push/x", Policy())
    assert (target.host, target.port, target.address) == ("8.8.8.8", 443, "8.8.8.8")


async def test_the_allow_list_admits_a_relay_on_any_port():
    target = await check(
        "https://localhost:8443/relay", Policy(allow=LOOPBACK + (ipaddress.ip_network("::1/128"),))
    )
    assert target.address in ("127.0.0.1", "::1") and target.port == 8443


async def test_a_name_that_resolves_to_loopback_is_never_dialled_unless_allowed(
    aiohttp_client, tmp_path, service, guard
):
    client, alice, bob = await start(aiohttp_client, tmp_path, service, outbound_allow=())
    await subscribe(client, alice, service.browser("a", host="localhost"))
    room = await shared_room(client, bob, alice)
    await post_message(client, bob, room, "@alice hello")
    pusher = client.server.app[pusher_key]
    for _ in range(50):
        if pusher.failed:
            break
        await asyncio.sleep(0.05)
    assert pusher.failed == 1 and pusher.sent == 0
    assert service.hits == {}
    assert str(service.port) not in " ".join(guard.dialled)  # never got as far as a dial


async def test_metrics_count_pushes_sent_failed_and_dropped(aiohttp_client, tmp_path, service):
    client, alice, bob = await start(
        aiohttp_client, tmp_path, service, metrics=True, push_queue_limit=1, push_grace_seconds=0.3
    )
    await subscribe(client, alice, service.browser("a"))
    room = await shared_room(client, bob, alice)
    await tab_closed_just_now(client, alice, room)
    await post_message(client, bob, room, "@alice one")  # waits out the grace
    await post_message(client, bob, room, "@alice two")  # no room to wait: dropped
    await service.next_delivery()
    resp = await client.get("/metrics")
    text = await resp.text()
    assert "teahouse_pushes_sent_total 1.0" in text
    assert "teahouse_pushes_dropped_total 1.0" in text
    assert "teahouse_pushes_failed_total 0.0" in text
