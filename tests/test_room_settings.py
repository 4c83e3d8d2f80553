"""Room settings: member caps (none for official rooms), type, archiving; who may change them."""

import asyncio

import pytest

from chat.core.people import tokens
from chat.models import User
from tests.helpers import assert_error, make_room, next_frame


def minted(core, user_id: int) -> str:
    """A token for a user who does not exist yet: the real provisioning path makes them."""
    who = User(user_id, f"crowd{user_id}", "", None, False)
    return tokens.issue(core.secret, who, "access", 600)


async def patch(client, person, room, **body):
    return await client.patch(f"/api/chat/rooms/{room['id']}/", json=body, headers=person.headers)


async def join(client, person, room):
    return await client.post(f"/api/chat/rooms/{room['id']}/join/", headers=person.headers)


async def test_the_global_room_takes_more_than_fifty_members_over_sockets(client, core, alice):
    sockets = []
    try:
        for user_id in range(1000, 1055):
            ws = await client.ws_connect(f"/ws/chat/global/?token={minted(core, user_id)}")
            sockets.append(ws)
            assert (await next_frame(ws, "connection_established"))["room"]["slug"] == "global"
        resp = await client.get("/api/chat/rooms/global/", headers=alice.headers)
        room = await resp.json()
        assert room["member_count"] >= 55 and room["max_members"] is None
    finally:
        await asyncio.gather(*(ws.close() for ws in sockets))


async def test_official_rooms_have_no_cap_and_other_rooms_fifty(client, admin, alice):
    official = await make_room(client, admin, name="news", is_official=True)
    plain = await make_room(client, alice, name="plain")
    assert (official["max_members"], plain["max_members"]) == (None, 50)
    capped = await make_room(client, admin, name="capped", is_official=True, max_members=3)
    assert capped["max_members"] == 3


async def test_room_admins_and_site_admins_change_max_members(client, make_user, admin, alice, bob):
    carol = await make_user("carol")
    room = await make_room(client, alice, max_members=2)
    assert (await join(client, bob, room)).status == 200
    await assert_error(await join(client, carol, room), 400, "channels")
    await assert_error(await patch(client, bob, room, max_members=None), 403, "channels")
    resp = await patch(client, admin, room, max_members=None)
    assert resp.status == 200 and (await resp.json())["max_members"] is None
    assert (await join(client, carol, room)).status == 200
    resp = await patch(client, alice, room, max_members=100)
    assert (await resp.json())["max_members"] == 100


@pytest.mark.parametrize(
    "body",
    [
        {"max_members": 1},
        {"max_members": "10"},
        {"max_members": True},
        {"room_type": "direct"},
        {"archived": "yes"},
    ],
)
async def test_bad_room_settings_are_a_400(client, alice, body):
    room = await make_room(client, alice)
    await assert_error(await patch(client, alice, room, **body), 400, "channels")


async def test_a_room_admin_makes_a_room_private_and_only_a_site_admin_official(client, alice, bob):
    room = await make_room(client, alice)
    resp = await patch(client, alice, room, room_type="private")
    assert (await resp.json())["room_type"] == "private"
    await assert_error(await join(client, bob, room), 403, "channels")
    await assert_error(await patch(client, alice, room, is_official=True), 403, "channels")


async def test_an_archived_room_keeps_its_history_and_takes_nothing_new(client, alice, bob):
    room = await make_room(client, alice)
    await client.post(
        f"/api/chat/rooms/{room['id']}/messages/", json={"content": "before"}, headers=alice.headers
    )
    await assert_error(await patch(client, bob, room, archived=True), 403, "channels")
    resp = await patch(client, alice, room, archived=True)
    assert (await resp.json())["is_archived"] is True
    resp = await client.post(
        f"/api/chat/rooms/{room['id']}/messages/", json={"content": "after"}, headers=alice.headers
    )
    await assert_error(resp, 403, "channels")
    await assert_error(await join(client, bob, room), 403, "channels")
    resp = await client.get(f"/api/chat/rooms/{room['id']}/messages/", headers=alice.headers)
    assert [m["content"] for m in (await resp.json())["messages"]][-1] == "before"
    listed = await (await client.get("/api/chat/rooms/", headers=alice.headers)).json()
    assert next(r for r in listed if r["id"] == room["id"])["is_archived"] is True
    await patch(client, alice, room, archived=False)
    assert (await join(client, bob, room)).status == 200


async def test_a_declined_invitation_no_longer_opens_the_room(client, alice, bob):
    room = await make_room(client, alice, room_type="private")
    await client.post(
        f"/api/chat/rooms/{room['id']}/invite/", json={"username": "bob"}, headers=alice.headers
    )
    resp = await client.post(f"/api/chat/rooms/{room['id']}/decline/", headers=bob.headers)
    assert resp.status == 200
    await assert_error(await join(client, bob, room), 403, "channels")
    resp = await client.post(f"/api/chat/rooms/{room['id']}/decline/", headers=bob.headers)
    await assert_error(resp, 404, "channels")
