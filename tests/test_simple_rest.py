"""The simple dialect (seed 003): messages and rooms under /api/chat/ without slashes."""

import aiohttp

from tests.helpers import assert_error

MESSAGE_KEYS = {
    "id",
    "sender_id",
    "sender_name",
    "message_type",
    "content",
    "file_url",
    "file_name",
    "file_size",
    "timestamp",
    "reply_to",
}


async def send(client, person, content, room=None, **body):
    url = "/api/chat/send" + (f"?room_id={room}" if room else "")
    resp = await client.post(
        url, json={"message_type": "text", "content": content, **body}, headers=person.headers
    )
    assert resp.status == 200, await resp.text()
    return await resp.json()


async def create_room(client, person, name="dev", description="") -> str:
    resp = await client.post(
        "/api/chat/rooms",
        json={"room_name": name, "description": description},
        headers=person.headers,
    )
    assert resp.status == 200, await resp.text()
    return (await resp.json())["room_id"]


async def test_send_answers_the_seed_message_shape_in_the_global_room(client, alice):
    body = await send(client, alice, "你好，世界！")
    assert MESSAGE_KEYS <= set(body)
    assert isinstance(body["id"], str) and body["id"].isdigit()
    assert body["sender_id"] == alice.id and body["sender_name"] == "alice"
    assert body["message_type"] == "text" and body["content"] == "你好，世界！"
    assert body["file_url"] is None and body["file_name"] is None and body["file_size"] is None
    assert body["reply_to"] is None and body["room_id"] == "global"
    assert body["timestamp"].endswith("Z")


async def test_a_reply_names_its_original_as_a_string(client, alice, bob):
    first = await send(client, alice, "question")
    reply = await send(client, bob, "answer", reply_to=first["id"])
    assert reply["reply_to"] == first["id"]


async def test_send_refuses_bad_bodies_with_detail_errors(client, alice):
    for body, status in (
        ({"content": ""}, 400),
        ({"content": "x" * 5001}, 400),
        ({"content": "hi", "message_type": "system"}, 400),
        ({"content": "hi", "reply_to": "not-an-id"}, 400),
    ):
        resp = await client.post("/api/chat/send", json=body, headers=alice.headers)
        await assert_error(resp, status, "simple")
    resp = await client.post("/api/chat/send", data=b"not json", headers=alice.headers)
    await assert_error(resp, 400, "simple")


async def test_send_to_an_unknown_or_private_room_is_refused(client, alice, bob):
    resp = await client.post(
        "/api/chat/send?room_id=room_00000000", json={"content": "hi"}, headers=alice.headers
    )
    await assert_error(resp, 404, "simple")
    resp = await client.post(
        "/api/chat/rooms/", json={"name": "secret", "room_type": "private"}, headers=alice.headers
    )
    private = await resp.json()
    resp = await client.post(
        f"/api/chat/send?room_id={private['slug']}", json={"content": "hi"}, headers=bob.headers
    )
    await assert_error(resp, 403, "simple")


async def test_every_endpoint_needs_a_token(client):
    for method, path in (
        ("POST", "/api/chat/send"),
        ("POST", "/api/chat/upload"),
        ("GET", "/api/chat/messages"),
        ("GET", "/api/chat/online-users"),
        ("GET", "/api/chat/stats"),
        ("POST", "/api/chat/rooms"),
        ("POST", "/api/chat/rooms/global/join"),
        ("POST", "/api/chat/rooms/global/leave"),
        ("GET", "/api/chat/rooms"),
        ("DELETE", "/api/chat/messages/1"),
        ("GET", "/api/chat/user-ip/1"),
        ("POST", "/api/chat/heartbeat"),
    ):
        resp = await client.request(method, path)
        await assert_error(resp, 401, "simple")


async def test_messages_are_listed_oldest_first_and_page_backwards_with_before(client, alice):
    room = await create_room(client, alice, "history")
    sent = [await send(client, alice, f"m{i}", room=room) for i in range(5)]
    resp = await client.get(f"/api/chat/messages?room_id={room}&limit=3", headers=alice.headers)
    page = await resp.json()
    assert [m["content"] for m in page] == ["m2", "m3", "m4"]
    resp = await client.get(
        f"/api/chat/messages?room_id={room}&limit=3&before={page[0]['id']}", headers=alice.headers
    )
    assert [m["content"] for m in await resp.json()] == ["m0", "m1"]
    assert [m["id"] for m in page] == [m["id"] for m in sent[2:]]


async def test_messages_default_to_global_and_fifty(client, alice):
    for i in range(52):
        await send(client, alice, f"n{i}")
    resp = await client.get("/api/chat/messages", headers=alice.headers)
    found = await resp.json()
    assert len(found) == 50 and found[-1]["content"] == "n51"
    assert all(m["room_id"] == "global" for m in found)


async def test_messages_limit_above_one_hundred_is_a_400(client, alice):
    resp = await client.get("/api/chat/messages?limit=101", headers=alice.headers)
    await assert_error(resp, 400, "simple")
    resp = await client.get("/api/chat/messages?before=abc", headers=alice.headers)
    await assert_error(resp, 400, "simple")


async def test_private_room_messages_are_hidden_from_non_members(client, alice, bob):
    resp = await client.post(
        "/api/chat/rooms/", json={"name": "secret", "room_type": "private"}, headers=alice.headers
    )
    slug = (await resp.json())["slug"]
    await send(client, alice, "hush", room=slug)
    resp = await client.get(f"/api/chat/messages?room_id={slug}", headers=bob.headers)
    await assert_error(resp, 403, "simple")


async def test_create_room_takes_multipart_urlencoded_and_json(client, alice):
    form = aiohttp.FormData()
    form.add_field("room_name", "技术讨论")
    form.add_field("description", "多部分表单")
    form.add_field("file_marker", b"x", filename="ignored.txt")
    resp = await client.post("/api/chat/rooms", data=form, headers=alice.headers)
    body = await resp.json()
    assert resp.status == 200, body
    assert body["room_id"].startswith("room_") and len(body["room_id"]) == 13
    assert body["message"] == "Room created"
    resp = await client.post(
        "/api/chat/rooms",
        data={"room_name": "urlencoded"},
        headers={**alice.headers, "Accept-Language": "zh-CN"},
    )
    assert (await resp.json())["message"] == "聊天室创建成功"
    json_slug = await create_room(client, alice, "json room", "from JSON")
    resp = await client.get("/api/chat/rooms", headers=alice.headers)
    listed = {room["id"]: room for room in await resp.json()}
    assert listed[body["room_id"]]["name"] == "技术讨论"
    assert listed[body["room_id"]]["description"] == "多部分表单"
    assert listed[json_slug]["description"] == "from JSON"


async def test_create_room_needs_a_valid_name(client, alice):
    for body in ({}, {"room_name": ""}, {"room_name": "x" * 101}):
        resp = await client.post("/api/chat/rooms", json=body, headers=alice.headers)
        await assert_error(resp, 400, "simple")


async def test_created_rooms_are_public_and_listed_with_the_seed_shape(client, alice, bob):
    slug = await create_room(client, alice, "public one", "for all")
    await send(client, alice, "latest", room=slug)
    resp = await client.get("/api/chat/rooms", headers=bob.headers)
    rooms = await resp.json()
    assert rooms[0]["id"] == "global"
    room = next(r for r in rooms if r["id"] == slug)
    assert set(room) == {"id", "name", "description", "members", "created_at", "last_message"}
    assert room["members"] == [alice.id] and room["name"] == "public one"
    assert room["last_message"]["content"] == "latest"
    assert room["last_message"]["sender_name"] == "alice"
    assert room["last_message"]["id"].isdigit()


async def test_join_and_leave_answer_the_seed_messages(client, alice, bob):
    slug = await create_room(client, alice, "club")
    headers = {**bob.headers, "Accept-Language": "zh"}
    resp = await client.post(f"/api/chat/rooms/{slug}/join", headers=headers)
    assert resp.status == 200 and await resp.json() == {"message": "成功加入聊天室"}
    resp = await client.post(f"/api/chat/rooms/{slug}/join", headers=headers)
    assert resp.status == 200
    resp = await client.get("/api/chat/rooms", headers=bob.headers)
    club = next(r for r in await resp.json() if r["id"] == slug)
    assert club["members"] == [alice.id, bob.id]
    resp = await client.post(f"/api/chat/rooms/{slug}/leave", headers=headers)
    assert resp.status == 200 and await resp.json() == {"message": "成功离开聊天室"}
    resp = await client.post(f"/api/chat/rooms/{slug}/leave", headers=headers)
    await assert_error(resp, 400, "simple")


async def test_joining_unknown_or_private_rooms_is_refused(client, alice, bob):
    resp = await client.post("/api/chat/rooms/room_ffffffff/join", headers=bob.headers)
    await assert_error(resp, 404, "simple")
    resp = await client.post(
        "/api/chat/rooms/", json={"name": "secret", "room_type": "private"}, headers=alice.headers
    )
    slug = (await resp.json())["slug"]
    resp = await client.post(f"/api/chat/rooms/{slug}/join", headers=bob.headers)
    await assert_error(resp, 403, "simple")


async def test_delete_is_a_soft_delete_by_the_sender(client, alice, bob):
    message = await send(client, alice, "oops")
    resp = await client.delete(f"/api/chat/messages/{message['id']}", headers=bob.headers)
    await assert_error(resp, 403, "simple")
    resp = await client.delete(
        f"/api/chat/messages/{message['id']}?room_id=global",
        headers={**alice.headers, "Accept-Language": "zh"},
    )
    assert resp.status == 200 and await resp.json() == {"message": "消息删除成功"}
    resp = await client.get("/api/chat/messages", headers=alice.headers)
    shown = next(m for m in await resp.json() if m["id"] == message["id"])
    assert shown["is_deleted"] is True and shown["content"] == "[message deleted]"


async def test_deleting_an_unknown_message_is_a_404(client, alice):
    resp = await client.delete("/api/chat/messages/424242", headers=alice.headers)
    await assert_error(resp, 404, "simple")
    resp = await client.delete("/api/chat/messages/not-an-id", headers=alice.headers)
    await assert_error(resp, 400, "simple")


async def test_deleting_with_the_room_id_of_another_room_is_a_404(client, admin, alice):
    other = await create_room(client, alice)
    message = await send(client, alice, "stays")
    for room_id in (other, "room_ffffffff"):
        for person in (alice, admin):
            resp = await client.delete(
                f"/api/chat/messages/{message['id']}?room_id={room_id}", headers=person.headers
            )
            await assert_error(resp, 404, "simple")
    resp = await client.get("/api/chat/messages", headers=alice.headers)
    assert not next(m for m in await resp.json() if m["id"] == message["id"])["is_deleted"]


async def test_a_site_admin_may_delete_anyones_message(client, admin, alice):
    message = await send(client, alice, "spam")
    resp = await client.delete(f"/api/chat/messages/{message['id']}", headers=admin.headers)
    assert resp.status == 200


async def test_unknown_simple_paths_answer_detail_errors(client, alice):
    resp = await client.get("/api/chat/nothing-here", headers=alice.headers)
    await assert_error(resp, 404, "simple")
