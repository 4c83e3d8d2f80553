"""Native: unread counts, read marks across a user's sockets, read-all, people search."""

from tests.helpers import assert_error, connect, make_room, next_frame, no_frame, post_message


async def unread(client, person, room) -> int:
    rooms = await (await client.get("/api/chat/rooms/", headers=person.headers)).json()
    return next(r for r in rooms if r["id"] == room["id"])["unread_count"]


async def read(client, person, message_id: int):
    return await client.post(f"/api/chat/messages/{message_id}/read/", headers=person.headers)


async def test_unread_count_counts_others_messages_after_the_read_mark(client, alice, bob):
    room = await make_room(client, alice)
    await client.post(f"/api/chat/rooms/{room['id']}/join/", headers=bob.headers)
    assert await unread(client, alice, room) == 0
    sent = [await post_message(client, bob, room, f"news {n}") for n in range(3)]
    await post_message(client, alice, room, "my own words")
    assert await unread(client, alice, room) == 3
    assert await unread(client, bob, room) == 1
    assert (await read(client, alice, sent[1]["id"])).status == 200
    assert await unread(client, alice, room) == 1
    await read(client, alice, sent[0]["id"])
    assert await unread(client, alice, room) == 1
    await client.delete(f"/api/chat/messages/{sent[2]['id']}/", headers=bob.headers)
    assert await unread(client, alice, room) == 0


async def test_a_read_mark_reaches_the_readers_other_sockets_only(client, alice, bob):
    room = await make_room(client, alice)
    elsewhere = await make_room(client, alice, name="elsewhere")
    phone = await connect(client, alice, room)
    laptop = await connect(client, alice, elsewhere)
    ws_bob = await connect(client, bob, room)
    first = await post_message(client, bob, room, "one")
    await post_message(client, bob, room, "two")
    await read(client, alice, first["id"])
    for ws in (phone, laptop):
        frame = await next_frame(ws, "read")
        assert frame == {
            "type": "read",
            "room_id": room["id"],
            "message_id": first["id"],
            "unread_count": 1,
        }
    await no_frame(ws_bob, "read")
    for ws in (phone, laptop, ws_bob):
        await ws.close()


async def test_a_read_frame_from_one_tab_updates_the_others(client, alice, bob):
    room = await make_room(client, alice)
    tab_one = await connect(client, alice, room)
    tab_two = await connect(client, alice, room)
    message = await post_message(client, bob, room, "read me")
    await tab_one.send_json({"type": "read", "message_id": message["id"]})
    frame = await next_frame(tab_two, "read")
    assert (frame["message_id"], frame["unread_count"]) == (message["id"], 0)
    assert await unread(client, alice, room) == 0
    await tab_one.send_json({"type": "read", "message_id": 999999})
    assert (await next_frame(tab_one, "error"))["message"]
    await tab_one.close()
    await tab_two.close()


async def test_read_all_clears_every_notification(client, alice, bob):
    room = await make_room(client, alice)
    await client.post(f"/api/chat/rooms/{room['id']}/join/", headers=bob.headers)
    await post_message(client, alice, room, "@bob one")
    await post_message(client, alice, room, "@bob two")
    unread_only = "/api/chat/notifications/?unread=1"
    assert len(await (await client.get(unread_only, headers=bob.headers)).json()) == 2
    resp = await client.post("/api/chat/notifications/read-all/", headers=bob.headers)
    assert resp.status == 200
    assert (await resp.json())["count"] == 2
    assert await (await client.get(unread_only, headers=bob.headers)).json() == []
    everything = await (await client.get("/api/chat/notifications/", headers=bob.headers)).json()
    assert [n["is_read"] for n in everything] == [True, True]
    again = await client.post("/api/chat/notifications/read-all/", headers=bob.headers)
    assert (await again.json())["count"] == 0


async def test_people_search_finds_by_name_part_case_insensitively(client, alice, bob, make_user):
    await make_user("bobby_tables", display_name="Robert Tables")
    found = await (await client.get("/api/users/?q=BOB", headers=alice.headers)).json()
    assert [u["username"] for u in found] == ["bob", "bobby_tables"]
    found = await (await client.get("/api/users/?q=liddell", headers=bob.headers)).json()
    assert [u["username"] for u in found] == ["alice"]
    assert set(found[0]) == {"id", "username", "display_name", "avatar_url", "is_admin", "is_guest"}
    found = await (await client.get("/api/users/?q=_", headers=bob.headers)).json()
    assert [u["username"] for u in found] == ["bobby_tables"]
    await assert_error(await client.get("/api/users/?q=bob"), 401, "identity")


async def test_a_site_admin_announces_to_everyone_and_nobody_else_may(client, admin, alice, bob):
    ws = await connect(client, alice, {"id": "global"})
    resp = await client.post(
        "/api/chat/notifications/announce/",
        headers=admin.headers,
        json={"title": "Maintenance tonight", "content": "22:00 UTC"},
    )
    assert resp.status == 201
    assert (await resp.json())["count"] == 3
    frame = await next_frame(ws, "notification")
    assert frame["notification"]["notification_type"] == "system"
    assert frame["notification"]["title"] == "Maintenance tonight"
    listed = await (await client.get("/api/chat/notifications/", headers=bob.headers)).json()
    assert [(n["notification_type"], n["content"]) for n in listed] == [("system", "22:00 UTC")]
    denied = await client.post(
        "/api/chat/notifications/announce/", headers=alice.headers, json={"title": "me too"}
    )
    await assert_error(denied, 403, "native")
    empty = await client.post(
        "/api/chat/notifications/announce/", headers=admin.headers, json={"title": "  "}
    )
    await assert_error(empty, 400, "native")
    await ws.close()
