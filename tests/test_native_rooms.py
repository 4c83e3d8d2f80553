"""Native: invitations, direct rooms, member moderation and room changes."""

from tests.helpers import assert_error, closed_with, connect, make_room, next_frame, no_frame


async def post(client, person, room_id, content: str):
    return await client.post(
        f"/api/chat/rooms/{room_id}/messages/", json={"content": content}, headers=person.headers
    )


async def invite(client, person, room, username):
    return await client.post(
        f"/api/chat/rooms/{room['id']}/invite/", json={"username": username}, headers=person.headers
    )


async def change(client, person, room, target_id, **fields):
    return await client.patch(
        f"/api/chat/rooms/{room['id']}/members/{target_id}/", json=fields, headers=person.headers
    )


async def join(client, person, room_id):
    return await client.post(f"/api/chat/rooms/{room_id}/join/", headers=person.headers)


async def listed_ids(client, person) -> set[int]:
    rooms = await (await client.get("/api/chat/rooms/", headers=person.headers)).json()
    return {room["id"] for room in rooms}


async def open_direct(client, person, username):
    return await client.post(
        "/api/chat/direct/", json={"username": username}, headers=person.headers
    )


# -- invitations ------------------------------------------------------------------


async def test_an_invitation_lets_a_user_join_a_private_room(client, alice, bob):
    room = await make_room(client, alice, room_type="private", name="plans")
    await assert_error(await join(client, bob, room["id"]), 403, "channels")
    lobby = await make_room(client, bob, name="lobby")
    ws_bob = await connect(client, bob, lobby)
    resp = await invite(client, alice, room, "BOB")
    assert resp.status == 201
    body = await resp.json()
    assert body["user"]["username"] == "bob" and body["room"]["id"] == room["id"]
    frame = await next_frame(ws_bob, "notification")
    assert frame["notification"]["notification_type"] == "room_invite"
    assert frame["notification"]["room"]["id"] == room["id"]
    assert "Alice Liddell" in frame["notification"]["title"]
    found = await (await client.get("/api/chat/notifications/", headers=bob.headers)).json()
    assert [n["notification_type"] for n in found] == ["room_invite"]
    assert (await join(client, bob, room["id"])).status == 200
    assert room["id"] in await listed_ids(client, bob)
    await ws_bob.close()


async def test_inviting_again_is_harmless_and_notifies_once(client, alice, bob):
    room = await make_room(client, alice, room_type="group")
    assert (await invite(client, alice, room, "bob")).status == 201
    assert (await invite(client, alice, room, "bob")).status == 200
    found = await (await client.get("/api/chat/notifications/", headers=bob.headers)).json()
    assert len(found) == 1


async def test_only_room_admins_and_moderators_invite(client, alice, bob, make_user):
    carol = await make_user("carol")
    room = await make_room(client, alice, room_type="private")
    await invite(client, alice, room, "bob")
    await join(client, bob, room["id"])
    await assert_error(await invite(client, bob, room, "carol"), 403, "channels")
    await assert_error(await invite(client, carol, room, "bob"), 403, "channels")
    await change(client, alice, room, bob.id, role="moderator")
    assert (await invite(client, bob, room, "carol")).status == 201


async def test_invitation_errors(client, alice, bob):
    room = await make_room(client, alice, room_type="private")
    await assert_error(await invite(client, alice, room, "nobody"), 404, "channels")
    await assert_error(await invite(client, alice, room, "alice"), 400, "channels")
    await assert_error(await invite(client, alice, room, None), 400, "channels")
    resp = await client.post(
        "/api/chat/rooms/999/invite/", json={"username": "bob"}, headers=alice.headers
    )
    await assert_error(resp, 404, "channels")


# -- direct rooms -----------------------------------------------------------------


async def test_direct_room_opens_once_for_both_people(client, alice, bob):
    resp = await open_direct(client, alice, "bob")
    assert resp.status == 201
    room = await resp.json()
    assert room["room_type"] == "direct" and room["member_count"] == 2
    assert room["peer"]["username"] == "bob"
    again = await open_direct(client, bob, "alice")
    assert again.status == 200
    assert (await again.json())["id"] == room["id"]
    assert (await open_direct(client, alice, "Bob")).status == 200
    members = await (
        await client.get(f"/api/chat/rooms/{room['id']}/members/", headers=bob.headers)
    ).json()
    assert sorted(m["user"]["username"] for m in members) == ["alice", "bob"]
    assert (await post(client, bob, room["id"], "hi alice")).status == 201


async def test_direct_rooms_are_invisible_and_closed_to_third_parties(
    client, admin, alice, bob, make_user
):
    carol = await make_user("carol")
    room = await (await open_direct(client, alice, "bob")).json()
    await post(client, alice, room["id"], "just between us")
    for outsider in (carol, admin):
        assert room["id"] not in await listed_ids(client, outsider)
        for path in (
            f"/api/chat/rooms/{room['id']}/",
            f"/api/chat/rooms/{room['id']}/messages/",
            f"/api/chat/rooms/{room['slug']}/members/",
        ):
            await assert_error(await client.get(path, headers=outsider.headers), 403, "channels")
        await assert_error(await join(client, outsider, room["id"]), 403, "channels")
        await assert_error(await post(client, outsider, room["id"], "hello?"), 403, "channels")
        ws = await client.ws_connect(f"/ws/chat/{room['id']}/?token={outsider.token}")
        await closed_with(ws, 4003)
    assert room["id"] in await listed_ids(client, alice)
    assert room["id"] in await listed_ids(client, bob)


async def test_direct_rooms_cannot_be_left_invited_to_or_moderated(client, alice, bob):
    room = await (await open_direct(client, alice, "bob")).json()
    resp = await client.post(f"/api/chat/rooms/{room['id']}/leave/", headers=bob.headers)
    await assert_error(resp, 400, "channels")
    await assert_error(await invite(client, alice, room, "admin"), 400, "channels")
    await assert_error(await change(client, alice, room, bob.id, is_muted=True), 403, "channels")


async def test_no_direct_room_with_oneself_or_nobody(client, alice):
    await assert_error(await open_direct(client, alice, "alice"), 400, "channels")
    await assert_error(await open_direct(client, alice, "ghost"), 404, "channels")
    await assert_error(await open_direct(client, alice, ""), 400, "channels")


async def test_a_deleted_direct_room_can_be_opened_afresh(client, alice, bob):
    first = await (await open_direct(client, alice, "bob")).json()
    resp = await client.delete(f"/api/chat/rooms/{first['id']}/", headers=alice.headers)
    assert resp.status == 200
    resp = await open_direct(client, bob, "alice")
    assert resp.status == 201
    assert (await resp.json())["id"] != first["id"]


# -- moderation -------------------------------------------------------------------


async def test_a_muted_member_cannot_send_until_unmuted(client, alice, bob):
    room = await make_room(client, alice)
    await join(client, bob, room["id"])
    ws_alice = await connect(client, alice, room)
    resp = await change(client, alice, room, bob.id, is_muted=True)
    assert resp.status == 200
    body = await resp.json()
    assert (body["user"]["id"], body["is_muted"], body["role"]) == (bob.id, True, "member")
    frame = await next_frame(ws_alice, "member_updated")
    assert (frame["user"]["id"], frame["is_muted"], frame["is_banned"]) == (bob.id, True, False)
    await assert_error(await post(client, bob, room["id"], "let me speak"), 403, "channels")
    await change(client, alice, room, bob.id, is_muted=False)
    assert (await post(client, bob, room["id"], "thanks")).status == 201
    await ws_alice.close()


async def test_a_ban_closes_sockets_at_once_and_keeps_the_member_out(client, alice, bob):
    room = await make_room(client, alice)
    ws_bob_v1 = await connect(client, bob, room, "v1")
    ws_bob = await connect(client, bob, room)
    assert (await change(client, alice, room, bob.id, is_banned=True)).status == 200
    await closed_with(ws_bob, 4003)
    await closed_with(ws_bob_v1, 4003)
    await assert_error(await join(client, bob, room["id"]), 403, "channels")
    await assert_error(await post(client, bob, room["id"], "back!"), 403, "channels")
    ws = await client.ws_connect(f"/ws/chat/{room['id']}/?token={bob.token}")
    await closed_with(ws, 4003)
    members = await (
        await client.get(f"/api/chat/rooms/{room['id']}/members/", headers=alice.headers)
    ).json()
    assert [m["user"]["username"] for m in members] == ["alice"]
    await change(client, alice, room, bob.id, is_banned=False)
    assert (await post(client, bob, room["id"], "back for real")).status == 201


async def test_only_room_admins_and_site_admins_moderate(client, admin, alice, bob, make_user):
    carol = await make_user("carol")
    room = await make_room(client, alice)
    for person in (bob, carol):
        await join(client, person, room["id"])
    await assert_error(await change(client, bob, room, carol.id, is_muted=True), 403, "channels")
    await change(client, alice, room, bob.id, role="moderator")
    await assert_error(await change(client, bob, room, carol.id, is_banned=True), 403, "channels")
    resp = await change(client, admin, room, carol.id, is_muted=True)
    assert resp.status == 200


async def test_a_room_keeps_at_least_one_admin(client, alice, bob):
    room = await make_room(client, alice)
    await join(client, bob, room["id"])
    await assert_error(await change(client, alice, room, alice.id, role="member"), 400, "channels")
    await assert_error(await change(client, alice, room, alice.id, is_banned=True), 400, "channels")
    assert (await change(client, alice, room, bob.id, role="admin")).status == 200
    assert (await change(client, alice, room, alice.id, role="member")).status == 200
    await assert_error(await change(client, alice, room, bob.id, role="member"), 403, "channels")


async def test_member_change_validation(client, alice, bob):
    room = await make_room(client, alice)
    await assert_error(await change(client, alice, room, bob.id, is_muted=True), 404, "channels")
    await join(client, bob, room["id"])
    await assert_error(await change(client, alice, room, bob.id, role="owner"), 400, "channels")
    await assert_error(await change(client, alice, room, bob.id, is_muted="yes"), 400, "channels")
    resp = await client.patch(
        f"/api/chat/rooms/{room['id']}/members/bob/", json={"is_muted": True}, headers=alice.headers
    )
    await assert_error(resp, 400, "channels")


# -- room changes -----------------------------------------------------------------


async def test_room_admin_renames_a_room_and_sockets_hear_room_updated(client, alice, bob):
    room = await make_room(client, alice)
    ws_bob = await connect(client, bob, room)
    resp = await client.patch(
        f"/api/chat/rooms/{room['id']}/",
        json={"name": "  renamed  ", "description": "new topic"},
        headers=alice.headers,
    )
    assert resp.status == 200
    body = await resp.json()
    assert (body["name"], body["description"]) == ("renamed", "new topic")
    frame = await next_frame(ws_bob, "room_updated")
    assert (frame["room"]["name"], frame["room"]["description"]) == ("renamed", "new topic")
    resp = await client.patch(
        f"/api/chat/rooms/{room['slug']}/", json={"description": ""}, headers=alice.headers
    )
    assert (await resp.json())["name"] == "renamed"
    await ws_bob.close()


async def test_only_room_admins_change_a_room(client, alice, bob):
    room = await make_room(client, alice)
    await join(client, bob, room["id"])
    ws_alice = await connect(client, alice, room)
    resp = await client.patch(
        f"/api/chat/rooms/{room['id']}/", json={"name": "mine now"}, headers=bob.headers
    )
    await assert_error(resp, 403, "channels")
    await no_frame(ws_alice, "room_updated")
    for bad in ({"name": ""}, {"name": "x" * 101}, {"description": "y" * 501}, {"name": 7}):
        resp = await client.patch(f"/api/chat/rooms/{room['id']}/", json=bad, headers=alice.headers)
        await assert_error(resp, 400, "channels")
    await ws_alice.close()
