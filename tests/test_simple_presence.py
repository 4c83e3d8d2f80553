"""Presence over REST in the simple dialect: heartbeat, online users, stats, user IPs.

Addresses and user agents are private: only site admins see them, and X-Forwarded-For
counts only when it comes from a configured trusted proxy.
"""

from chat.app import create_app
from chat.settings import Settings
from tests.helpers import assert_error, next_frame, register

AGENT = {"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) TeahouseTest/1.0"}
SPOOF = {"X-Forwarded-For": "203.0.113.9"}


async def beat(client, person, **headers) -> dict:
    resp = await client.post("/api/chat/heartbeat", headers={**person.headers, **headers})
    assert resp.status == 200, await resp.text()
    return await resp.json()


async def online(client, person) -> dict:
    resp = await client.get("/api/chat/online-users", headers=person.headers)
    assert resp.status == 200, await resp.text()
    return {entry["user_id"]: entry for entry in await resp.json()}


async def test_heartbeat_answers_ok_with_a_timestamp(client, alice):
    body = await beat(client, alice)
    assert set(body) == {"status", "timestamp"}
    assert body["status"] == "ok" and body["timestamp"].endswith("Z")


async def test_a_heartbeat_puts_a_user_online_with_the_seed_shape(client, admin, alice):
    first = await beat(client, alice, **AGENT)
    await beat(client, alice, **AGENT)
    listed = await online(client, admin)
    entry = listed[alice.id]
    assert set(entry) == {"user_id", "username", "ip", "user_agent", "login_time", "last_activity"}
    assert entry["username"] == "alice"
    assert entry["ip"] == "127.0.0.1" and entry["user_agent"] == AGENT["User-Agent"]
    assert entry["login_time"] == first["timestamp"] <= entry["last_activity"]


async def test_only_site_admins_see_addresses_and_agents(client, admin, alice, bob):
    await beat(client, alice, **AGENT)
    listed = await online(client, bob)
    assert listed[alice.id]["ip"] is None and listed[alice.id]["user_agent"] is None
    assert listed[alice.id]["username"] == "alice"
    assert (await online(client, admin))[alice.id]["ip"] == "127.0.0.1"


async def test_users_without_socket_or_heartbeat_are_not_online(client, alice, bob):
    await beat(client, alice)
    assert set(await online(client, alice)) == {alice.id}


async def test_thirty_quiet_minutes_take_a_user_offline_and_out_of_the_registry(
    client, core, alice, bob
):
    await beat(client, alice)
    await beat(client, bob)
    core.hub.activity[bob.id].last_seen -= 31 * 60  # bob's last heartbeat, half an hour ago
    assert set(await online(client, alice)) == {alice.id}
    assert bob.id not in core.hub.activity


async def test_an_open_socket_counts_as_online(client, alice, bob):
    ws = await client.ws_connect(f"/ws/chat/global/?token={bob.token}", headers=AGENT)
    await next_frame(ws, "connection_established")
    assert bob.id in await online(client, alice)
    await ws.close()


async def test_logging_in_records_the_user_online(client, admin, alice):
    resp = await client.post(
        "/api/auth/login", json={"username": "alice", "password": "correct horse"}, headers=AGENT
    )
    assert resp.status == 200
    assert (await online(client, admin))[alice.id]["user_agent"] == AGENT["User-Agent"]


async def test_forwarded_for_is_ignored_without_a_trusted_proxy(client, admin, alice):
    await beat(client, alice, **SPOOF)
    assert (await online(client, admin))[alice.id]["ip"] == "127.0.0.1"
    resp = await client.get(f"/api/chat/user-ip/{alice.id}", headers=admin.headers)
    assert await resp.json() == {"user_id": alice.id, "ip": "127.0.0.1"}


async def test_forwarded_for_is_honoured_from_a_trusted_proxy(aiohttp_client, tmp_path):
    settings = Settings(data_dir=tmp_path / "proxied", trusted_proxies=("127.0.0.0/8",))
    client = await aiohttp_client(create_app(settings))
    admin = await register(client, "admin")
    alice = await register(client, "alice")
    await beat(client, alice, **SPOOF)
    assert (await online(client, admin))[alice.id]["ip"] == "203.0.113.9"
    resp = await client.get(f"/api/chat/user-ip/{alice.id}", headers=admin.headers)
    assert (await resp.json())["ip"] == "203.0.113.9"


async def test_user_ip_is_for_site_admins_only(client, admin, alice, bob):
    await beat(client, bob)
    resp = await client.get(f"/api/chat/user-ip/{bob.id}", headers=alice.headers)
    await assert_error(resp, 403, "simple")
    resp = await client.get("/api/chat/user-ip/999999", headers=alice.headers)
    await assert_error(resp, 403, "simple")


async def test_user_ip_of_an_unknown_user_is_a_404(client, admin):
    resp = await client.get("/api/chat/user-ip/999999", headers=admin.headers)
    await assert_error(resp, 404, "simple")
    resp = await client.get("/api/chat/user-ip/abc", headers=admin.headers)
    await assert_error(resp, 400, "simple")


async def test_user_ip_is_null_for_a_user_never_seen(client, admin, alice):
    resp = await client.get(f"/api/chat/user-ip/{alice.id}", headers=admin.headers)
    assert await resp.json() == {"user_id": alice.id, "ip": None}


async def test_user_ip_falls_back_to_the_last_login_after_a_restart(aiohttp_client, tmp_path):
    settings = Settings(data_dir=tmp_path / "restart")
    first = await aiohttp_client(create_app(settings))
    admin = await register(first, "admin")
    await register(first, "alice")
    resp = await first.post(
        "/api/auth/login", json={"username": "alice", "password": "correct horse"}
    )
    alice_id = (await resp.json())["user"]["id"]
    await first.close()
    second = await aiohttp_client(create_app(settings))
    assert await online(second, admin) == {}
    resp = await second.get(f"/api/chat/user-ip/{alice_id}", headers=admin.headers)
    assert await resp.json() == {"user_id": alice_id, "ip": "127.0.0.1"}


async def stats(client, person) -> dict:
    resp = await client.get("/api/chat/stats", headers=person.headers)
    assert resp.status == 200, await resp.text()
    return await resp.json()


async def test_stats_count_online_users_messages_today_and_active_rooms(client, alice, bob):
    await client.post("/api/chat/rooms/global/join", headers=alice.headers)
    resp = await client.post("/api/chat/rooms", json={"room_name": "quiet"}, headers=alice.headers)
    quiet = (await resp.json())["room_id"]
    before = await stats(client, alice)
    assert set(before) == {"online_users_count", "total_messages_today", "active_rooms"}
    await beat(client, alice)
    await beat(client, bob)
    for text in ("one", "two"):
        await client.post("/api/chat/send", json={"content": text}, headers=alice.headers)
    after = await stats(client, bob)
    assert after["online_users_count"] == before["online_users_count"] + 2
    assert after["total_messages_today"] == before["total_messages_today"] + 2
    assert after["active_rooms"] == before["active_rooms"] == 1
    await client.post(
        f"/api/chat/send?room_id={quiet}", json={"content": "hi"}, headers=alice.headers
    )
    assert (await stats(client, bob))["active_rooms"] == 2


async def test_a_room_with_only_an_open_socket_is_active(client, alice, core):
    resp = await client.post(
        "/api/chat/rooms", json={"room_name": "lurkers"}, headers=alice.headers
    )
    slug = (await resp.json())["room_id"]
    before = (await stats(client, alice))["active_rooms"]
    ws = await client.ws_connect(f"/ws/chat/{slug}/?token={alice.token}")
    await next_frame(ws, "connection_established")
    assert (await stats(client, alice))["active_rooms"] == before + 1
    await ws.close()


async def test_stats_never_scan_all_messages(client, alice, core):
    statements = []
    await core.db.reader.set_trace_callback(statements.append)
    await stats(client, alice)
    await core.db.reader.set_trace_callback(None)
    reads = [sql for sql in statements if "FROM messages" in sql]
    assert len(reads) == 2, statements
    for sql in reads:
        plan = " | ".join(
            row["detail"] for row in await core.db.fetch_all("EXPLAIN QUERY PLAN " + sql)
        )
        assert "SCAN" not in plan and "messages_created" in plan, plan


async def test_only_the_hop_our_proxy_saw_counts_not_what_the_client_wrote(
    aiohttp_client, tmp_path
):
    # nginx appends the address it saw: "forged, real". The forged part must not win.
    settings = Settings(
        data_dir=tmp_path / "proxied", trusted_proxies=("127.0.0.0/8", "10.0.0.0/8")
    )
    client = await aiohttp_client(create_app(settings))
    admin = await register(client, "admin")
    alice = await register(client, "alice")
    for header, seen in [
        ("6.6.6.6, 198.51.100.7", "198.51.100.7"),
        ("6.6.6.6, 198.51.100.7, 10.1.2.3", "198.51.100.7"),
        ("6.6.6.6, not-an-address", "unknown"),  # never the proxy's
        ("6.6.6.6, 198.51.100.7:4711", "198.51.100.7"),
        ("10.1.2.3", "10.1.2.3"),
    ]:  # all hops ours: the furthest one
        await beat(client, alice, **{"X-Forwarded-For": header})
        assert (await online(client, admin))[alice.id]["ip"] == seen, header
