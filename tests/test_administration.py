"""Site administration endpoints: who may call them, and what they do at once."""

import pytest

from tests.helpers import assert_error, closed_with, make_room, next_frame

ADMIN_CALLS = [
    ("GET", "/api/chat/admin/users/", None),
    ("PATCH", "/api/chat/admin/users/{bob}/", {"is_admin": True}),
    ("POST", "/api/chat/admin/users/{bob}/password/", {"password": "a new password"}),
    ("GET", "/api/chat/admin/rooms/", None),
]


@pytest.mark.parametrize("method, path, body", ADMIN_CALLS)
async def test_only_site_admins_may_call_the_admin_endpoints(
    client, admin, alice, bob, method, path, body
):
    url = path.format(bob=bob.id)
    resp = await client.request(method, url, json=body)
    await assert_error(resp, 401, "channels")
    resp = await client.request(method, url, json=body, headers=alice.headers)
    await assert_error(resp, 403, "channels")
    resp = await client.request(method, url, json=body, headers=admin.headers)
    assert resp.status == 200, await resp.text()


async def test_users_are_searched_by_name(client, admin, alice, bob):
    resp = await client.get("/api/chat/admin/users/?q=liddell", headers=admin.headers)
    found = await resp.json()
    assert [u["username"] for u in found] == ["alice"]
    assert found[0]["is_active"] is True and "last_login_at" in found[0]


async def test_promoting_and_demoting_take_effect_on_the_next_request(client, admin, bob):
    resp = await client.patch(
        f"/api/chat/admin/users/{bob.id}/", json={"is_admin": True}, headers=admin.headers
    )
    assert (await resp.json())["is_admin"] is True
    resp = await client.get("/api/chat/admin/users/", headers=bob.headers)
    assert resp.status == 200
    await client.patch(
        f"/api/chat/admin/users/{bob.id}/", json={"is_admin": False}, headers=admin.headers
    )
    await assert_error(
        await client.get("/api/chat/admin/users/", headers=bob.headers), 403, "channels"
    )


@pytest.mark.parametrize("body", [{"is_admin": False}, {"is_active": False}])
async def test_an_admin_cannot_demote_or_deactivate_themselves(client, admin, body):
    resp = await client.patch(
        f"/api/chat/admin/users/{admin.id}/", json=body, headers=admin.headers
    )
    await assert_error(resp, 400, "channels")


async def test_bad_admin_input_is_a_400_or_404(client, admin, bob):
    resp = await client.patch(
        f"/api/chat/admin/users/{bob.id}/", json={"is_active": "no"}, headers=admin.headers
    )
    await assert_error(resp, 400, "channels")
    resp = await client.patch(
        "/api/chat/admin/users/9999/", json={"is_active": False}, headers=admin.headers
    )
    await assert_error(resp, 404, "channels")
    resp = await client.post(
        f"/api/chat/admin/users/{bob.id}/password/",
        json={"password": "short"},
        headers=admin.headers,
    )
    await assert_error(resp, 400, "channels")


async def test_deactivation_stops_tokens_and_sockets_at_once(client, admin, bob):
    resp = await client.post("/api/chat/tokens/", json={"name": "ci"}, headers=bob.headers)
    api_token = (await resp.json())["token"]
    ws = await client.ws_connect(f"/ws/chat/global/?token={bob.token}")
    await next_frame(ws, "connection_established")
    resp = await client.patch(
        f"/api/chat/admin/users/{bob.id}/", json={"is_active": False}, headers=admin.headers
    )
    assert (await resp.json())["is_active"] is False
    await closed_with(ws, 4001)
    await assert_error(await client.get("/api/auth/me", headers=bob.headers), 401, "identity")
    resp = await client.get("/api/auth/me", headers={"Authorization": f"Bearer {api_token}"})
    await assert_error(resp, 401, "identity")
    resp = await client.post("/api/auth/refresh", json={"refresh_token": bob.refresh_token})
    await assert_error(resp, 401, "identity")
    login = {"username": "bob", "password": "correct horse"}
    await assert_error(await client.post("/api/auth/login", json=login), 401, "identity")
    await closed_with(await client.ws_connect(f"/ws/chat/global/?token={bob.token}"), 4001)
    await client.patch(
        f"/api/chat/admin/users/{bob.id}/", json={"is_active": True}, headers=admin.headers
    )
    resp = await client.post("/api/auth/login", json=login)
    assert resp.status == 200
    bob_again = {"Authorization": f"Bearer {(await resp.json())['access_token']}"}
    # Reactivated, bob signs in again; the API token of before stays revoked.
    resp = await client.get("/api/auth/me", headers={"Authorization": f"Bearer {api_token}"})
    await assert_error(resp, 401, "identity")
    assert await (await client.get("/api/chat/tokens/", headers=bob_again)).json() == []


async def test_a_password_reset_replaces_the_password_and_ends_refresh_tokens(client, admin, bob):
    resp = await client.post(
        f"/api/chat/admin/users/{bob.id}/password/",
        json={"password": "a new password"},
        headers=admin.headers,
    )
    assert resp.status == 200
    old = {"username": "bob", "password": "correct horse"}
    await assert_error(await client.post("/api/auth/login", json=old), 401, "identity")
    new = {"username": "bob", "password": "a new password"}
    assert (await client.post("/api/auth/login", json=new)).status == 200
    resp = await client.post("/api/auth/refresh", json={"refresh_token": bob.refresh_token})
    await assert_error(resp, 401, "identity")


async def test_site_admins_see_and_manage_every_room(client, admin, alice):
    private = await make_room(client, alice, name="hidden plans", room_type="private")
    resp = await client.get("/api/chat/admin/rooms/?q=hidden", headers=admin.headers)
    assert [r["id"] for r in await resp.json()] == [private["id"]]
    resp = await client.patch(
        f"/api/chat/rooms/{private['id']}/",
        json={"max_members": None, "archived": True, "room_type": "public"},
        headers=admin.headers,
    )
    changed = await resp.json()
    assert (changed["max_members"], changed["is_archived"], changed["room_type"]) == (
        None,
        True,
        "public",
    )
    resp = await client.delete(f"/api/chat/rooms/{private['id']}/", headers=admin.headers)
    assert resp.status == 200
    resp = await client.get("/api/chat/admin/rooms/?q=hidden", headers=admin.headers)
    assert await resp.json() == []
