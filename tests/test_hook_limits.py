"""Webhooks are their creator's tools, not a way around her limits or her access:
posts count against the room's and the creator's budgets, hooks are capped, a hook
posts only while its creator may post in its room, and hook users stay out of people
search and out of full rooms."""

from __future__ import annotations

import pytest

from chat.app import create_app
from chat.settings import Settings
from tests.helpers import NO_RATE_LIMITS, assert_error, make_room, register
from tests.test_hooks import assert_slack, make_hook


@pytest.fixture
async def budget_client(aiohttp_client, tmp_path):
    settings = Settings(
        data_dir=tmp_path / "data",
        **NO_RATE_LIMITS,
        rate_hook_room=(0.001, 8),
        rate_hook_creator=(0.001, 5),
    )
    return await aiohttp_client(create_app(settings))


async def test_many_hooks_of_one_member_share_her_budget(budget_client):
    client = budget_client
    alice, bob = await register(client, "alice"), await register(client, "bob")
    room, other = await make_room(client, alice), await make_room(client, bob, name="other")
    hooks = [await make_hook(client, alice, room, f"h{n}") for n in range(4)]
    answers = [
        await client.post(hook["path"], json={"text": "spam"}) for _ in range(3) for hook in hooks
    ]
    assert [resp.status for resp in answers].count(200) == 5
    refused = [resp for resp in answers if resp.status != 200]
    assert {resp.status for resp in refused} == {429}
    assert await refused[0].text() == "rate_limited" and int(refused[0].headers["Retry-After"]) >= 1
    # Another member's hook in another room has its own budgets.
    theirs = await make_hook(client, bob, other)
    await assert_slack(await client.post(theirs["path"], json={"text": "build ok"}), 200, "ok")


async def test_a_room_budget_holds_across_creators(budget_client):
    client = budget_client
    alice, bob = await register(client, "alice"), await register(client, "bob")
    room = await make_room(client, alice)
    await client.post(f"/api/chat/rooms/{room['id']}/join/", headers=bob.headers)
    resp = await client.patch(
        f"/api/chat/rooms/{room['id']}/members/{bob.id}/",
        json={"role": "admin"},
        headers=alice.headers,
    )
    assert resp.status == 200
    mine, theirs = await make_hook(client, alice, room), await make_hook(client, bob, room, "B")
    statuses = [
        (await client.post(hook["path"], json={"text": "x"})).status
        for _ in range(5)
        for hook in (mine, theirs)
    ]
    assert statuses.count(200) == 8 and statuses.count(429) == 2


async def test_hooks_per_room_and_per_user_are_capped(aiohttp_client, tmp_path):
    settings = Settings(
        data_dir=tmp_path / "data", **NO_RATE_LIMITS, hooks_per_room=2, hooks_per_user=3
    )
    client = await aiohttp_client(create_app(settings))
    alice = await register(client, "alice")
    first, second = await make_room(client, alice), await make_room(client, alice, name="two")
    for name in ("a", "b"):
        await make_hook(client, alice, first, name)
    resp = await client.post(
        f"/api/chat/rooms/{first['id']}/hooks/", json={"name": "c"}, headers=alice.headers
    )
    await assert_error(resp, 409, "channels")
    assert "2" in (await resp.json())["error"]
    await make_hook(client, alice, second, "c")
    resp = await client.post(
        f"/api/chat/rooms/{second['id']}/hooks/", json={"name": "d"}, headers=alice.headers
    )
    await assert_error(resp, 409, "channels")


async def test_a_full_room_takes_no_hook(client, alice, bob):
    room = await make_room(client, alice, max_members=2)
    await client.post(f"/api/chat/rooms/{room['id']}/join/", headers=bob.headers)
    resp = await client.post(
        f"/api/chat/rooms/{room['id']}/hooks/", json={"name": "CI"}, headers=alice.headers
    )
    await assert_error(resp, 400, "channels")
    members = await (
        await client.get(f"/api/chat/rooms/{room['id']}/members/", headers=alice.headers)
    ).json()
    assert len(members) == 2


async def hook_of_bob_in_alices_private_room(client, alice, bob):
    """A private room of alice's where bob is an admin and has made a hook."""
    room = await make_room(client, alice, room_type="private")
    resp = await client.post(
        f"/api/chat/rooms/{room['id']}/invite/", json={"username": "bob"}, headers=alice.headers
    )
    assert resp.status < 300, await resp.text()
    assert (
        await client.post(f"/api/chat/rooms/{room['id']}/join/", headers=bob.headers)
    ).status == 200
    resp = await client.patch(
        f"/api/chat/rooms/{room['id']}/members/{bob.id}/",
        json={"role": "admin"},
        headers=alice.headers,
    )
    assert resp.status == 200, await resp.text()
    return room, await make_hook(client, bob, room)


async def listed_hook(client, person, room, hook) -> dict:
    resp = await client.get(f"/api/chat/rooms/{room['id']}/hooks/", headers=person.headers)
    return next(h for h in await resp.json() if h["id"] == hook["id"])


@pytest.mark.parametrize("loss", ["banned", "deactivated", "left", "muted"])
async def test_a_hook_posts_only_while_its_creator_may_post(client, admin, alice, bob, loss):
    room, hook = await hook_of_bob_in_alices_private_room(client, alice, bob)
    await assert_slack(await client.post(hook["path"], json={"text": "before"}), 200, "ok")
    assert (await listed_hook(client, alice, room, hook))["active"] is True
    if loss == "deactivated":
        resp = await client.patch(
            f"/api/chat/admin/users/{bob.id}/", json={"is_active": False}, headers=admin.headers
        )
    elif loss == "left":
        resp = await client.post(f"/api/chat/rooms/{room['id']}/leave/", headers=bob.headers)
    else:
        field = {"banned": "is_banned", "muted": "is_muted"}[loss]
        resp = await client.patch(
            f"/api/chat/rooms/{room['id']}/members/{bob.id}/",
            json={field: True},
            headers=alice.headers,
        )
    assert resp.status == 200, await resp.text()
    await assert_slack(
        await client.post(hook["path"], json={"text": "after"}), 403, "action_prohibited"
    )
    assert (await listed_hook(client, alice, room, hook))["active"] is False
    resp = await client.get(f"/api/chat/rooms/{room['id']}/messages/", headers=alice.headers)
    assert "after" not in [m["content"] for m in (await resp.json())["messages"]]


async def test_a_muted_creators_hook_posts_again_when_unmuted(client, alice, bob):
    room, hook = await hook_of_bob_in_alices_private_room(client, alice, bob)
    path = f"/api/chat/rooms/{room['id']}/members/{bob.id}/"
    await client.patch(path, json={"is_muted": True}, headers=alice.headers)
    await assert_slack(
        await client.post(hook["path"], json={"text": "x"}), 403, "action_prohibited"
    )
    await client.patch(path, json={"is_muted": False}, headers=alice.headers)
    await assert_slack(await client.post(hook["path"], json={"text": "x"}), 200, "ok")


async def test_people_search_leaves_out_hook_users(client, alice):
    room = await make_room(client, alice)
    await make_hook(client, alice, room, "Alice's CI")
    found = await (await client.get("/api/users/?q=alice", headers=alice.headers)).json()
    assert [user["username"] for user in found] == ["alice"]
    found = await (await client.get("/api/users/?q=hook", headers=alice.headers)).json()
    assert found == []
