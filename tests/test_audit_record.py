"""Every audited action writes exactly one entry naming its actor and target, through
every dialect that can do it; a refused action writes none."""

from __future__ import annotations

import pytest

from tests.audit_helpers import entries, the_entry
from tests.helpers import make_room, post_message, register
from tests.pgcluster import both_engines

AGENT = "AuditTest/1.0"


async def test_a_password_sign_in_records_address_agent_and_method(client, admin, alice):
    resp = await client.post(
        "/api/auth/login",
        json={"username": "alice", "password": "correct horse"},
        headers={"User-Agent": AGENT},
    )
    assert resp.status == 200
    entry = await the_entry(client, admin, "sign_in", actor="alice")
    assert entry["target_name"] == "alice" and entry["actor_id"] == alice.id
    assert entry["address"] == "127.0.0.1" and entry["user_agent"] == AGENT
    assert entry["detail"] == {"method": "password"}
    assert entry["request_id"] == resp.headers["X-Request-Id"]


async def test_a_wrong_password_records_a_failure_without_waiting(client, admin, alice):
    resp = await client.post(
        "/api/auth/login",
        json={"username": "alice", "password": "wrong one!"},
        headers={"User-Agent": AGENT},
    )
    assert resp.status == 401
    entry = await the_entry(client, admin, "sign_in_failed", wait=3.0, actor="alice")
    assert entry["actor_id"] is None and entry["address"] == "127.0.0.1"
    assert entry["user_agent"] == AGENT
    assert entry["detail"] == {"method": "password", "reason": "bad_credentials"}
    assert await entries(client, admin, action="sign_in", actor="alice") == []


async def test_a_deactivated_account_signing_in_is_a_failure(client, admin, alice):
    await client.patch(
        f"/api/chat/admin/users/{alice.id}/", json={"is_active": False}, headers=admin.headers
    )
    resp = await client.post(
        "/api/auth/login", json={"username": "alice", "password": "correct horse"}
    )
    assert resp.status == 401
    entry = await the_entry(client, admin, "sign_in_failed", wait=3.0, actor="alice")
    assert entry["detail"]["reason"] == "account_deactivated" and entry["actor_id"] == alice.id


async def test_sign_out_and_a_replayed_refresh_token_are_recorded(client, admin, alice, bob):
    resp = await client.post("/api/auth/logout", headers=alice.headers)
    assert resp.status == 204
    entry = await the_entry(client, admin, "sign_out")
    assert (entry["actor_name"], entry["target_name"]) == ("alice", "alice")
    first = await client.post("/api/auth/refresh", json={"refresh_token": bob.refresh_token})
    assert first.status == 200
    replay = await client.post("/api/auth/refresh", json={"refresh_token": bob.refresh_token})
    assert replay.status == 401
    entry = await the_entry(client, admin, "session_revoked")
    assert entry["target_name"] == "bob" and entry["actor_name"] is None
    assert entry["detail"]["reason"] == "refresh_token_replayed"


async def test_password_changes_resets_roles_and_deactivation(client, admin, alice):
    resp = await client.patch(
        "/api/auth/me",
        json={"password": "a new secret", "old_password": "correct horse"},
        headers=alice.headers,
    )
    assert resp.status == 200
    entry = await the_entry(client, admin, "password_changed")
    assert (entry["actor_name"], entry["target_name"]) == ("alice", "alice")
    base = f"/api/chat/admin/users/{alice.id}/"
    assert (
        await client.post(
            base + "password/", json={"password": "third secret"}, headers=admin.headers
        )
    ).status == 200
    for body in ({"is_admin": True}, {"is_admin": True}, {"is_active": False}, {"is_active": True}):
        assert (await client.patch(base, json=body, headers=admin.headers)).status == 200
    for action, detail in (
        ("password_reset", {}),
        ("site_role_changed", {"role": "admin"}),
        ("user_deactivated", {}),
        ("user_reactivated", {}),
    ):
        entry = await the_entry(client, admin, action)  # setting what already is: no entry
        assert (entry["actor_name"], entry["target_name"], entry["detail"]) == (
            "admin",
            "alice",
            detail,
        )


async def test_refused_changes_leave_no_entry(client, admin, alice, bob):
    resp = await client.patch(
        f"/api/chat/admin/users/{bob.id}/", json={"is_admin": True}, headers=alice.headers
    )
    assert resp.status == 403
    room = await make_room(client, alice)
    resp = await client.patch(
        f"/api/chat/rooms/{room['id']}/", json={"room_type": "private"}, headers=bob.headers
    )
    assert resp.status in (403, 404)
    assert [
        e["action"] for e in await entries(client, admin) if e["action"] not in ("sign_in",)
    ] == ["room_created"]


@pytest.mark.parametrize(
    "dialect,path,body",
    [
        ("v1", "/api/v1/chatroom/rooms", {"name": "plans"}),
        ("channels", "/api/chat/rooms/", {"name": "plans"}),
        ("simple", "/api/chat/rooms", {"room_name": "plans"}),
    ],
)
async def test_room_creation_through_each_dialect(client, admin, alice, dialect, path, body):
    resp = await client.post(path, json=body, headers=alice.headers)
    assert resp.status in (200, 201), await resp.text()
    entry = await the_entry(client, admin, "room_created")
    assert (entry["actor_name"], entry["target_type"], entry["target_name"]) == (
        "alice",
        "room",
        "plans",
    )


@pytest.mark.parametrize("path", ["/api/v1/chatroom/rooms/{id}", "/api/chat/rooms/{id}/"])
@both_engines
async def test_room_deletion_restore_and_purge(client, admin, alice, path):
    room = await make_room(client, alice, name="doomed")
    resp = await client.delete(path.format(id=room["id"]), headers=alice.headers)
    assert resp.status in (200, 204), await resp.text()
    entry = await the_entry(client, admin, "room_deleted")
    assert (entry["actor_name"], entry["target_name"]) == ("alice", "doomed")
    base = f"/api/chat/admin/deleted-rooms/{room['id']}/"
    assert (await client.post(base + "restore/", headers=admin.headers)).status == 200
    assert (await the_entry(client, admin, "room_restored"))["actor_name"] == "admin"
    await client.delete(f"/api/chat/rooms/{room['id']}/", headers=admin.headers)
    assert (await client.delete(base, headers=admin.headers)).status == 200
    entry = await the_entry(client, admin, "room_purged")
    assert (entry["actor_name"], entry["target_name"]) == ("admin", "doomed")
    assert entry["detail"]["reason"] == "purge_now"


async def test_room_type_limit_and_archival_each_write_one_entry(client, admin, alice):
    room = await make_room(client, alice, name="ops")
    resp = await client.patch(
        f"/api/chat/rooms/{room['id']}/",
        headers=alice.headers,
        json={
            "room_type": "private",
            "max_members": 12,
            "archived": True,
            "description": "not audited",
        },
    )
    assert resp.status == 200, await resp.text()
    assert (await the_entry(client, admin, "room_type_changed"))["detail"] == {
        "before": "public",
        "after": "private",
    }
    assert (await the_entry(client, admin, "room_member_limit_changed"))["detail"]["after"] == 12
    assert (await the_entry(client, admin, "room_archived"))["target_name"] == "ops"
    await client.patch(
        f"/api/chat/rooms/{room['id']}/", json={"archived": False}, headers=admin.headers
    )
    assert (await the_entry(client, admin, "room_unarchived"))["actor_name"] == "admin"


async def test_bans_mutes_and_room_roles(client, admin, alice, bob):
    room = await make_room(client, alice, name="ops")
    await client.post(f"/api/chat/rooms/{room['id']}/join/", headers=bob.headers)
    member = f"/api/chat/rooms/{room['id']}/members/{bob.id}/"
    for body in (
        {"role": "moderator"},
        {"is_muted": True},
        {"is_banned": True},
        {"is_banned": False},
    ):
        resp = await client.patch(member, json=body, headers=alice.headers)
        assert resp.status == 200, await resp.text()
    for action in ("room_role_changed", "member_muted", "member_banned", "member_unbanned"):
        entry = await the_entry(client, admin, action)
        assert (entry["actor_name"], entry["target_name"]) == ("alice", "bob")
        assert entry["detail"]["room"] == "ops"
    assert (await the_entry(client, admin, "room_role_changed"))["detail"]["after"] == "moderator"


@pytest.mark.parametrize("path", ["/api/chat/messages/{id}/", "/api/chat/messages/{id}"])
async def test_a_moderator_deleting_a_message_is_recorded_but_not_ones_own(
    client, admin, alice, bob, path
):
    room = await make_room(client, alice, name="ops")
    await client.post(f"/api/chat/rooms/{room['id']}/join/", headers=bob.headers)
    theirs = await post_message(client, bob, room, "oops")
    mine = await post_message(client, alice, room, "mine")
    for message in (theirs, mine):
        resp = await client.delete(path.format(id=message["id"]), headers=alice.headers)
        assert resp.status in (200, 204), await resp.text()
    entry = await the_entry(client, admin, "message_deleted_by_moderator")
    assert (entry["actor_name"], entry["target_name"]) == ("alice", "bob")
    assert entry["detail"]["message_id"] == theirs["id"]


@both_engines
async def test_api_tokens_creation_first_use_and_revocation(client, admin, alice):
    resp = await client.post("/api/chat/tokens/", json={"name": "ci"}, headers=alice.headers)
    token = await resp.json()
    for _ in range(3):
        assert (
            await client.get("/api/auth/me", headers={"Authorization": f"Bearer {token['token']}"})
        ).status == 200
    for action in ("api_token_created", "api_token_first_use"):
        entry = await the_entry(client, admin, action)
        assert (entry["actor_name"], entry["target_type"], entry["target_name"]) == (
            "alice",
            "api_token",
            "ci",
        )
    assert (
        await client.delete(f"/api/chat/tokens/{token['id']}/", headers=alice.headers)
    ).status == 204
    assert (await the_entry(client, admin, "api_token_revoked"))["target_id"] == str(token["id"])


async def test_webhooks_and_bots(client, admin, alice):
    room = await make_room(client, alice, name="ops")
    hooks = f"/api/chat/rooms/{room['id']}/hooks/"
    hook = await (await client.post(hooks, json={"name": "ci"}, headers=alice.headers)).json()
    await client.post(f"{hooks}{hook['id']}/regenerate/", headers=alice.headers)
    await client.delete(f"{hooks}{hook['id']}/", headers=alice.headers)
    for action in ("webhook_created", "webhook_key_regenerated", "webhook_deleted"):
        entry = await the_entry(client, admin, action)
        assert (entry["actor_name"], entry["target_name"], entry["detail"]["room"]) == (
            "alice",
            "ci",
            "ops",
        )
    bot = await (
        await client.post("/api/chat/bots/", json={"username": "helper"}, headers=admin.headers)
    ).json()
    bot_id = bot["id"]
    await client.post(f"/api/chat/bots/{bot_id}/key/", headers=admin.headers)
    await client.delete(f"/api/chat/bots/{bot_id}/", headers=admin.headers)
    for action in ("bot_created", "bot_key_regenerated", "bot_deleted"):
        entry = await the_entry(client, admin, action)
        assert (entry["actor_name"], entry["target_name"]) == ("admin", "helper")


async def test_signing_up_does_not_fill_the_log_with_other_actions(client, admin):
    await register(client, "carol")
    assert {e["action"] for e in await entries(client, admin)} <= {"sign_in"}
