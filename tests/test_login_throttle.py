"""Login throttling refuses a failing (username, address) pair or address, only slows a
username guessed from many addresses, and never locks the owner out; X-Forwarded-For
is read from the right, so a client cannot pick its own address."""

from __future__ import annotations

import time

import pytest

from chat.app import create_app
from chat.core.throttle import BASE_DELAY, MemoryStore
from chat.settings import Settings, SettingsError, load_settings
from tests.helpers import assert_error, register

PASSWORD = "correct horse"
PAIR_LIMIT = Settings.login_pair_limit
USER_SLOWDOWN = Settings.login_slowdown_after


@pytest.fixture
async def proxied(aiohttp_client, tmp_path):
    """A server behind a trusted proxy (this test client) at 127.0.0.1 and 10.0.0.0/8."""
    settings = Settings(data_dir=tmp_path / "data", trusted_proxies=("127.0.0.1", "10.0.0.0/8"))
    return await aiohttp_client(create_app(settings))


async def login(
    client,
    address: str,
    password: str = PASSWORD,
    username: str = "alice",
    forwarded: str | None = None,
):
    return await client.post(
        "/api/auth/login",
        json={"username": username, "password": password},
        headers={"X-Forwarded-For": forwarded or address},
    )


async def test_failures_from_one_address_do_not_lock_the_owner_out_from_another(proxied):
    await register(proxied, "alice")
    for _ in range(PAIR_LIMIT):
        await assert_error(await login(proxied, "198.51.100.1", "wrong password"), 401, "identity")
    refused = await login(proxied, "198.51.100.1")
    await assert_error(refused, 429, "identity")
    assert 1 <= int(refused.headers["Retry-After"]) <= 301
    assert (await login(proxied, "203.0.113.5")).status == 200


async def test_a_username_guessed_from_many_addresses_is_slowed_but_not_refused(proxied):
    await register(proxied, "alice")
    assert (await login(proxied, "203.0.113.5")).status == 200  # the owner's usual address
    for n in range(USER_SLOWDOWN):
        await assert_error(
            await login(proxied, f"198.51.100.{n + 1}", "wrong password"), 401, "identity"
        )
    started = time.monotonic()
    assert (await login(proxied, "192.0.2.77")).status == 200  # a new address: waits
    assert time.monotonic() - started >= BASE_DELAY
    started = time.monotonic()
    assert (await login(proxied, "203.0.113.5")).status == 200  # a known one does not
    assert time.monotonic() - started < BASE_DELAY


async def test_the_leftmost_forwarded_address_is_the_clients_to_invent(proxied):
    """nginx appends the address it saw: only hops our proxies added are believed."""
    await register(proxied, "alice")
    for n in range(PAIR_LIMIT):
        resp = await login(
            proxied, "", "wrong password", forwarded=f"192.0.2.{n}, 198.51.100.7, 10.0.0.2"
        )
        await assert_error(resp, 401, "identity")
    resp = await login(proxied, "", forwarded="192.0.2.99, 198.51.100.7, 10.1.2.3")
    await assert_error(resp, 429, "identity")
    # A hop that is no address ends the walk at the last trusted one (the proxy).
    resp = await login(proxied, "", forwarded="198.51.100.7, not-an-ip, 10.0.0.2")
    assert resp.status == 200


async def test_a_huge_username_is_refused_before_the_throttle_keeps_it(client, core, alice):
    resp = await client.post(
        "/api/auth/login", json={"username": "a" * 200_000, "password": "x" * 8}
    )
    await assert_error(resp, 401, "identity")
    assert all(len(key) < 300 for key in core.throttle.store.stamps)


async def test_the_memory_store_forgets_the_least_recent_keys_beyond_its_cap():
    store = MemoryStore(max_keys=100)
    for n in range(1000):
        await store.hit(f"k{n}", time.time(), 300)
    assert len(store.stamps) == 100 and "k999" in store.stamps and "k0" not in store.stamps


async def test_the_memory_store_drops_expired_keys_as_it_goes():
    store = MemoryStore()
    for n in range(50):
        await store.hit(f"old{n}", 1000.0, 300)
    await store.hit("new", 2000.0, 300)
    assert list(store.stamps) == ["new"]


async def test_an_address_spraying_usernames_is_refused_for_all_of_them(proxied):
    await register(proxied, "alice")
    for n in range(20):
        await login(proxied, "198.51.100.9", "wrong password", username=f"guess{n}")
    await assert_error(await login(proxied, "198.51.100.9"), 429, "identity")
    assert (await login(proxied, "198.51.100.10")).status == 200


async def test_forwarded_hops_with_ports_and_brackets_are_each_their_own_client(proxied):
    """Proxies write "ip:port" and "[v6]:port": read as the address, not as the proxy's
    own, so their clients do not share one login bucket."""
    await register(proxied, "alice")
    for port in range(PAIR_LIMIT):
        await assert_error(
            await login(proxied, f"198.51.100.1:{4000 + port}", "wrong password"), 401, "identity"
        )
    await assert_error(await login(proxied, "198.51.100.1:5000"), 429, "identity")
    for hop in ("203.0.113.5:8080", "[2001:db8::5]:443", "2001:db8::6", "::ffff:192.0.2.9"):
        assert (await login(proxied, hop)).status == 200, hop
    # a hop that cannot be read is "unknown", never the proxy's own address: failures
    # there leave a login made on the proxy's host (no header) alone
    for _ in range(PAIR_LIMIT + 1):
        await login(proxied, "unknown", "wrong password")
    await assert_error(await login(proxied, ""), 429, "identity")
    resp = await proxied.post("/api/auth/login", json={"username": "alice", "password": PASSWORD})
    assert resp.status == 200


async def test_the_limits_are_settings_and_zero_turns_one_off(aiohttp_client, tmp_path):
    settings = load_settings(
        env={
            "CHAT_DATA_DIR": str(tmp_path / "data"),
            "CHAT_LOGIN_PAIR_LIMIT": "2",
            "CHAT_LOGIN_ADDRESS_LIMIT": "0",
        }
    )
    client = await aiohttp_client(create_app(settings))
    await register(client, "alice")
    for _ in range(2):
        await assert_error(await login(client, "", "wrong password"), 401, "identity")
    await assert_error(await login(client, ""), 429, "identity")
    for n in range(25):  # no address limit
        await assert_error(
            await login(client, "", "wrong password", username=f"g{n}"), 401, "identity"
        )
    with pytest.raises(SettingsError):
        load_settings(env={"CHAT_LOGIN_PAIR_LIMIT": "-1"})


async def test_old_password_guesses_are_throttled_and_count_as_failed_logins(client, alice):
    """PATCH /api/auth/me checks old_password: with a stolen API token it would be a
    password oracle outside the login throttle."""
    resp = await client.post("/api/chat/tokens/", json={"name": "script"}, headers=alice.headers)
    headers = {"Authorization": f"Bearer {(await resp.json())['token']}"}
    statuses = []
    for n in range(60):
        resp = await client.patch(
            "/api/auth/me",
            headers=headers,
            json={"password": "a new password", "old_password": f"guess {n}"},
        )
        statuses.append(resp.status)
    assert statuses[:PAIR_LIMIT] == [400] * PAIR_LIMIT
    assert set(statuses[PAIR_LIMIT:]) == {429}
    await assert_error(
        await client.post("/api/auth/login", json={"username": "alice", "password": PASSWORD}),
        429,
        "identity",
    )
    resp = await client.patch(
        "/api/auth/me",
        headers=headers,
        json={"password": "a new password", "old_password": PASSWORD},
    )
    await assert_error(resp, 429, "identity")  # the right one too, until the window passes
