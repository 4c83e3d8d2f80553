"""Managing guests: adding by account or single-use link, converting both ways, expiry
signing a guest out live, and exactly one audit entry per action (docs/guests.md)."""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from datetime import timedelta

from chat.app import create_app
from chat.clock import iso_utc, now
from chat.ops.exporting import write_export
from chat.ops.importing import import_export
from chat.settings import Settings
from tests.audit_helpers import entries, the_entry
from tests.guest_helpers import PASSWORD, log_in, make_guest, make_link, sign_up
from tests.helpers import (
    NO_RATE_LIMITS,
    assert_error,
    closed_with,
    make_room,
    next_frame,
    register,
)

GUEST = "/api/chat/admin/users/{}/guest/"


async def test_an_invited_guest_is_in_their_rooms_and_marked_everywhere(client, admin, alice):
    room = await make_room(client, alice, name="project")
    guest = await make_guest(client, admin, "carol", rooms=[room["id"]])
    me = await (await client.get("/api/auth/me", headers=guest.headers)).json()
    assert me["is_guest"] is True
    members = await client.get(f"/api/chat/rooms/{room['id']}/members/", headers=alice.headers)
    flags = {m["user"]["username"]: m["user"]["is_guest"] for m in await members.json()}
    assert flags == {"alice": False, "carol": True}
    listed = await client.get("/api/chat/admin/guests/", headers=admin.headers)
    assert listed.headers["X-Total-Count"] == "1"
    [row] = await listed.json()
    assert (row["username"], row["rooms"], row["is_active"]) == ("carol", ["project"], True)
    entry = await the_entry(client, admin, "guest_invited")
    assert (entry["actor_name"], entry["target_name"]) == ("admin", "carol")
    assert entry["detail"]["rooms"] == ["project"]


async def test_only_site_admins_add_guests_unless_the_site_lets_room_admins(client, admin, alice):
    room = await make_room(client, alice, name="project")
    body = {"username": "carol", "password": PASSWORD, "rooms": [room["id"]]}
    resp = await client.post("/api/chat/guests/", json=body, headers=alice.headers)
    await assert_error(resp, 403, "channels")
    resp = await client.post("/api/chat/guest-links/", json=body, headers=alice.headers)
    await assert_error(resp, 403, "channels")
    assert await entries(client, admin, action="guest_invited") == []


async def test_room_admins_add_guests_to_their_own_rooms_when_allowed(aiohttp_client, tmp_path):
    settings = Settings(
        data_dir=tmp_path / "data", guest_invites_by_room_admins=True, **NO_RATE_LIMITS
    )
    client = await aiohttp_client(create_app(settings))
    admin = await register(client, "admin")
    alice = await register(client, "alice")
    mine = await make_room(client, alice, name="mine")
    theirs = await make_room(client, admin, name="theirs")
    guest = await make_guest(client, alice, "carol", rooms=[mine["id"]])
    rooms = await (await client.get("/api/chat/rooms/", headers=guest.headers)).json()
    assert [r["name"] for r in rooms] == ["mine"]
    body = {"username": "dave", "password": PASSWORD, "rooms": [theirs["id"]]}
    resp = await client.post("/api/chat/guests/", json=body, headers=alice.headers)
    await assert_error(resp, 403, "channels")
    body["rooms"] = []  # a room admin names at least one of their rooms
    resp = await client.post("/api/chat/guests/", json=body, headers=alice.headers)
    await assert_error(resp, 403, "channels")
    other = await make_room(client, alice, name="other")  # alice's: she may invite carol in
    resp = await client.post(
        f"/api/chat/rooms/{other['id']}/invite/", json={"username": "carol"}, headers=alice.headers
    )
    assert resp.status == 201, await resp.text()
    # A guest made the admin of their room still brings nobody in.
    promote = f"/api/chat/rooms/{mine['id']}/members/{guest.id}/"
    assert (
        await client.patch(promote, json={"role": "admin"}, headers=alice.headers)
    ).status == 200
    body = {"username": "erin", "password": PASSWORD, "rooms": [mine["id"]]}
    resp = await client.post("/api/chat/guests/", json=body, headers=guest.headers)
    await assert_error(resp, 403, "channels")
    assert len(await entries(client, admin, action="guest_invited")) == 1


async def test_an_invitation_link_works_once(client, admin, alice):
    room = await make_room(client, alice, name="project")
    secret = await make_link(client, admin, rooms=[room["id"]])
    resp = await sign_up(client, secret, "carol")
    assert resp.status == 201, await resp.text()
    body = await resp.json()
    assert body["user"]["is_guest"] is True
    headers = {"Authorization": f"Bearer {body['access_token']}"}
    rooms = await (await client.get("/api/chat/rooms/", headers=headers)).json()
    assert [r["name"] for r in rooms] == ["project"]
    await assert_error(await sign_up(client, secret, "dave"), 404, "identity")
    created = await the_entry(client, admin, "guest_link_created")
    assert created["detail"]["rooms"] == ["project"]
    used = await the_entry(client, admin, "guest_signed_up")
    assert (used["actor_name"], used["target_name"]) == ("carol", "carol")
    assert used["detail"] == {"link_id": int(created["target_id"]), "invited_by": admin.id}


async def test_an_expired_or_unknown_link_signs_nobody_up(client, admin, core):
    secret = await make_link(client, admin, hours=1)
    past = iso_utc(now() - timedelta(seconds=1))
    await core.db.write(
        lambda conn: conn.execute("UPDATE guest_invitations SET expires_at = ?", (past,))
    )
    await assert_error(await sign_up(client, secret, "carol"), 404, "identity")
    await assert_error(await sign_up(client, "nope", "carol"), 404, "identity")
    await assert_error(await sign_up(client, 7, "carol"), 404, "identity")
    resp = await client.post(
        "/api/chat/guest-links/", json={"hours": 10_000}, headers=admin.headers
    )
    await assert_error(resp, 400, "channels")
    assert await entries(client, admin, action="guest_signed_up") == []


async def test_two_sign_ups_racing_for_one_link_make_one_guest(client, admin):
    secret = await make_link(client, admin)
    answers = await asyncio.gather(*(sign_up(client, secret, f"racer{n}") for n in range(4)))
    assert sorted(resp.status for resp in answers) == [201, 404, 404, 404]


async def test_conversion_both_ways(client, admin, alice, bob):
    room = await make_room(client, alice, name="project")
    guest = await make_guest(client, admin, "carol", rooms=[room["id"]])
    resp = await client.patch(
        GUEST.format(guest.id), json={"is_guest": False}, headers=admin.headers
    )
    assert resp.status == 200 and (await resp.json())["is_guest"] is False
    rooms = await (await client.get("/api/chat/rooms/", headers=guest.headers)).json()
    assert "global" in {r["slug"] for r in rooms}  # a member sees the public rooms again
    # Back to guest: bob's API token goes with it (guests have none).
    token = await client.post("/api/chat/tokens/", json={"name": "ci"}, headers=bob.headers)
    secret = (await token.json())["token"]
    resp = await client.patch(GUEST.format(bob.id), json={"is_guest": True}, headers=admin.headers)
    assert (await resp.json())["is_guest"] is True
    resp = await client.get("/api/auth/me", headers={"Authorization": f"Bearer {secret}"})
    assert resp.status == 401
    rooms = await (await client.get("/api/chat/rooms/", headers=bob.headers)).json()
    assert "global" not in {r["slug"] for r in rooms}  # bob never joined it
    entries_ = await entries(client, admin, action="guest_converted")
    assert [(e["target_name"], e["detail"]["to"]) for e in entries_] == [
        ("bob", "guest"),
        ("carol", "member"),
    ]
    # Setting what already is writes nothing; an admin is never made a guest.
    await client.patch(GUEST.format(bob.id), json={"is_guest": True}, headers=admin.headers)
    resp = await client.patch(
        GUEST.format(admin.id), json={"is_guest": True}, headers=admin.headers
    )
    await assert_error(resp, 409, "channels")
    resp = await client.patch(
        f"/api/chat/admin/users/{bob.id}/", json={"is_admin": True}, headers=admin.headers
    )
    await assert_error(resp, 409, "channels")
    assert len(await entries(client, admin, action="guest_converted")) == 2


async def test_expiry_signs_the_guest_out_live_and_refuses_credentials(client, admin, alice):
    room = await make_room(client, alice, name="project")
    guest = await make_guest(client, admin, "carol", rooms=[room["id"]])
    ws = await client.ws_connect(f"/ws/chat/{room['id']}/?token={guest.token}")
    await next_frame(ws, "connection_established")
    user_ws = await client.ws_connect(f"/ws/user/?token={guest.token}")
    soon = iso_utc(now() + timedelta(seconds=1))
    resp = await client.patch(
        GUEST.format(guest.id), json={"guest_until": soon}, headers=admin.headers
    )
    assert (await resp.json())["guest_until"] == soon
    await closed_with(ws, 4001, timeout=5)  # the scheduler deactivates at the time
    await closed_with(user_ws, 4001, timeout=2)
    resp = await client.get("/api/auth/me", headers=guest.headers)
    await assert_error(resp, 401, "identity")
    resp = await client.post("/api/auth/login", json={"username": "carol", "password": PASSWORD})
    await assert_error(resp, 401, "identity")
    resp = await client.post("/api/auth/refresh", json={"refresh_token": guest.refresh_token})
    assert resp.status == 401
    expired = await the_entry(client, admin, "guest_expired")
    assert (expired["actor_name"], expired["target_name"]) == (None, "carol")
    assert len(await entries(client, admin, action="guest_expiry_set")) == 1


async def test_an_expiry_in_the_past_deactivates_at_once(client, admin, alice):
    guest = await make_guest(client, admin, "carol")
    ws = await client.ws_connect(f"/ws/user/?token={guest.token}")
    past = "2020-01-01"
    resp = await client.patch(
        GUEST.format(guest.id), json={"guest_until": past}, headers=admin.headers
    )
    assert resp.status == 200
    await closed_with(ws, 4001, timeout=2)
    account = await client.get("/api/chat/admin/guests/", headers=admin.headers)
    assert (await account.json())[0]["is_active"] is False
    await the_entry(client, admin, "guest_expired")


async def test_bad_guest_input_is_a_4xx(client, admin, alice):
    cases = [
        ({"username": "x y", "password": PASSWORD}, 400),
        ({"username": "carol", "password": "short"}, 400),
        ({"username": "carol", "password": PASSWORD, "rooms": "global"}, 400),
        ({"username": "carol", "password": PASSWORD, "rooms": [999]}, 404),
        ({"username": "carol", "password": PASSWORD, "guest_until": "soon"}, 400),
        ({"username": "alice", "password": PASSWORD}, 409),
    ]
    for body, status in cases:
        resp = await client.post("/api/chat/guests/", json=body, headers=admin.headers)
        await assert_error(resp, status, "channels")
    resp = await client.patch(
        GUEST.format(alice.id), json={"guest_until": None}, headers=admin.headers
    )
    await assert_error(resp, 400, "channels")
    resp = await client.patch(GUEST.format(999), json={"is_guest": "yes"}, headers=admin.headers)
    await assert_error(resp, 400, "channels")
    resp = await client.get("/api/chat/admin/guests/", headers=alice.headers)
    await assert_error(resp, 403, "channels")
    assert await entries(client, admin, action="guest_invited") == []
    assert await log_in_fails(client)


async def log_in_fails(client) -> bool:
    resp = await client.post("/api/auth/login", json={"username": "carol", "password": PASSWORD})
    return resp.status == 401


async def test_a_guest_signs_in_like_anyone(client, admin):
    await make_guest(client, admin, "carol")
    guest = await log_in(client, "carol")
    assert guest.username == "carol"


async def test_a_guest_stays_a_guest_through_export_and_import(client, settings, admin, tmp_path):
    await make_guest(client, admin, "carol", guest_until="2099-01-01")
    exported = tmp_path / "site.jsonl"
    await write_export(settings, exported)
    [user] = [
        r
        for r in map(json.loads, exported.read_text().splitlines())
        if r.get("username") == "carol"
    ]
    assert (user["is_guest"], user["guest_until"]) == (True, "2099-01-02T00:00:00.000Z")
    imported = replace(settings, data_dir=tmp_path / "imported")
    await asyncio.to_thread(import_export, imported, exported)
    again = tmp_path / "again.jsonl"
    await write_export(imported, again)
    assert again.read_text().count('"is_guest":true') == 1


async def test_an_invitation_adds_a_guest_to_a_room_only_from_a_site_admin(client, admin, alice):
    room = await make_room(client, alice, name="project")
    lobby = await make_room(client, alice, name="lobby")
    guest = await make_guest(client, admin, "carol", rooms=[lobby["id"]])
    invite = f"/api/chat/rooms/{room['id']}/invite/"
    resp = await client.post(invite, json={"username": "carol"}, headers=alice.headers)
    await assert_error(resp, 403, "channels")  # the room's admin, but the site does not allow it
    join = f"/api/chat/rooms/{room['id']}/join/"
    await assert_error(await client.post(join, headers=guest.headers), 403, "channels")
    resp = await client.post(invite, json={"username": "carol"}, headers=admin.headers)
    assert resp.status == 201, await resp.text()
    assert (await client.post(join, headers=guest.headers)).status == 200
    rooms = await (await client.get("/api/chat/rooms/", headers=guest.headers)).json()
    assert sorted(r["name"] for r in rooms) == ["lobby", "project"]
