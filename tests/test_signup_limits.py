"""Open sign-up cannot multiply one client's limits: sign-ups are limited per address
and site-wide, and messages from one address share a budget across its accounts. The
clients' addresses come from X-Forwarded-For through a trusted proxy (127.0.0.1)."""

from __future__ import annotations

import pytest

from chat.app import create_app
from chat.core.ratelimit import PRUNE_EVERY, MemoryBuckets, Rate
from chat.settings import Settings
from tests.helpers import NO_RATE_LIMITS, assert_error, next_frame


def from_address(address: str) -> dict:
    return {"X-Forwarded-For": address}


async def sign_up(client, username: str, address: str):
    return await client.post(
        "/api/auth/register",
        headers=from_address(address),
        json={"username": username, "password": "correct horse"},
    )


@pytest.fixture
async def proxied(aiohttp_client, tmp_path):
    async def make(**limits):
        settings = Settings(
            data_dir=tmp_path / "data",
            trusted_proxies=("127.0.0.1",),
            **{**NO_RATE_LIMITS, **limits},
        )
        return await aiohttp_client(create_app(settings))

    return make


async def test_sign_ups_are_limited_per_address_and_site_wide(proxied):
    client = await proxied(register_per_address=3, register_per_minute=5)
    for n in range(3):
        assert (await sign_up(client, f"a{n}", "198.51.100.7")).status == 201
    refused = await sign_up(client, "a3", "198.51.100.7")
    await assert_error(refused, 429, "identity")
    assert int(refused.headers["Retry-After"]) > 60  # three an hour: the next in 20 minutes
    for n in range(2):
        assert (await sign_up(client, f"b{n}", "198.51.100.8")).status == 201
    await assert_error(await sign_up(client, "c0", "198.51.100.9"), 429, "identity")


async def accounts_from(client, address: str, count: int) -> list[dict]:
    people = []
    for n in range(count):
        resp = await sign_up(client, f"p{n}", address)
        assert resp.status == 201, await resp.text()
        people.append(
            {
                "Authorization": f"Bearer {(await resp.json())['access_token']}",
                **from_address(address),
            }
        )
    return people


async def test_accounts_behind_one_address_share_a_message_budget(proxied):
    client = await proxied(rate_address_messages=(0.001, 6))
    people = await accounts_from(client, "198.51.100.7", 3)
    room = (await (await client.get("/api/chat/rooms/", headers=people[0])).json())[0]
    path = f"/api/chat/rooms/{room['id']}/messages/"
    statuses = [
        (await client.post(path, json={"content": f"m{n}"}, headers=person)).status
        for n in range(4)
        for person in people
    ]
    assert statuses.count(201) == 6 and statuses.count(429) == 6
    # The same accounts from elsewhere, and anyone on loopback, are not held back.
    elsewhere = {**people[0], **from_address("203.0.113.5")}
    assert (await client.post(path, json={"content": "hi"}, headers=elsewhere)).status == 201
    local = {"Authorization": people[1]["Authorization"]}
    assert (await client.post(path, json={"content": "hi"}, headers=local)).status == 201


async def test_a_socket_shares_its_addresss_message_budget(proxied):
    client = await proxied(rate_address_messages=(0.001, 2))
    first, second = await accounts_from(client, "198.51.100.7", 2)
    room = await make_room_as(client, first)
    for person in (first, second):
        await client.post(f"/api/chat/rooms/{room['id']}/join/", headers=person)
    ws = await client.ws_connect(f"/ws/chat/{room['id']}/", headers=second)
    await next_frame(ws, "connection_established")
    path = f"/api/chat/rooms/{room['id']}/messages/"
    for n in range(2):
        assert (await client.post(path, json={"content": f"m{n}"}, headers=first)).status == 201
    await ws.send_json({"type": "chat_message", "content": "over the budget"})
    frame = await next_frame(ws, "error")
    assert "Too many" in frame["message"]
    await ws.close()


async def make_room_as(client, headers: dict) -> dict:
    resp = await client.post("/api/chat/rooms/", json={"name": "team"}, headers=headers)
    assert resp.status == 201, await resp.text()
    return await resp.json()


async def test_an_hourly_budget_is_not_forgotten_after_a_quiet_minute():
    now = [0.0]
    store = MemoryBuckets(clock=lambda: now[0])
    hourly = Rate(30 / 3600, 30)
    for _ in range(30):
        assert await store.take("register_address:198.51.100.7", hourly) == 0
    now[0] = 90.0  # idle past the old 60 s sweep; less than one refill
    for n in range(PRUNE_EVERY):  # a busy site: others' takes sweep the idle buckets
        await store.take(f"messages:{n}", Rate(10.0, 30))
    assert await store.take("register_address:198.51.100.7", hourly) > 0
