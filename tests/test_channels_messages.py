"""Channels messages, read marks and notifications (seeds 002/004)."""

from __future__ import annotations

import pytest

from tests.helpers import assert_error, closed_with, next_frame
from tests.test_channels_rooms import USER_FIELDS, create_room, invite, room_list

MESSAGE_FIELDS = {
    "id",
    "room",
    "sender",
    "message_type",
    "content",
    "file_url",
    "file_name",
    "file_size",
    "is_edited",
    "is_deleted",
    "reply_to",
    "created_at",
    "updated_at",
}


async def post(client, person, room_id, **body):
    return await client.post(
        f"/api/chat/rooms/{room_id}/messages/", json=body, headers=person.headers
    )


async def send(client, person, room_id, content: str, **body) -> dict:
    resp = await post(client, person, room_id, content=content, **body)
    assert resp.status == 201, await resp.text()
    return await resp.json()


async def history(client, person, room_id, query: str = "") -> dict:
    resp = await client.get(f"/api/chat/rooms/{room_id}/messages/{query}", headers=person.headers)
    assert resp.status == 200, await resp.text()
    return await resp.json()


async def notifications(client, person) -> list[dict]:
    resp = await client.get("/api/chat/notifications/", headers=person.headers)
    assert resp.status == 200
    return await resp.json()


async def joined_room(client, owner, *others, **body) -> dict:
    room = await create_room(client, owner, **body)
    for person in others:
        resp = await client.post(f"/api/chat/rooms/{room['id']}/join/", headers=person.headers)
        assert resp.status == 200
    return room


async def test_posting_answers_201_with_the_seed_message_shape(client, alice):
    room = await create_room(client, alice, name="开发讨论")
    message = await send(client, alice, room["id"], "  消息内容  ")
    assert MESSAGE_FIELDS <= set(message)
    assert message["content"] == "消息内容"
    assert message["message_type"] == "text"
    assert message["room"] == {"id": room["id"], "name": "开发讨论"}
    assert USER_FIELDS <= set(message["sender"]) and message["sender"]["username"] == "alice"
    assert message["file_url"] is None and message["reply_to"] is None
    assert message["is_edited"] is False and message["is_deleted"] is False


async def test_message_ids_strictly_increase(client, alice):
    room = await create_room(client, alice)
    ids = [(await send(client, alice, room["id"], f"m{i}"))["id"] for i in range(5)]
    assert ids == sorted(set(ids))


async def test_content_of_5000_characters_is_kept_and_5001_refused(client, alice):
    room = await create_room(client, alice)
    assert len((await send(client, alice, room["id"], "字" * 5000))["content"]) == 5000
    resp = await post(client, alice, room["id"], content="字" * 5001)
    await assert_error(resp, 400, "channels")


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"content": ""},
        {"content": "   \n\t "},
        {"content": 42},
        {"content": None},
        {"content": "hi", "message_type": "video"},
        {"content": "hi", "reply_to": "first"},
        {"content": "hi", "file_size": -1},
        {"content": "hi", "client_id": "x" * 65},
        {"content": "hi", "file_url": "javascript:alert(1)"},
    ],
)
async def test_invalid_messages_are_refused_with_400(client, alice, body):
    room = await create_room(client, alice)
    resp = await post(client, alice, room["id"], **body)
    await assert_error(resp, 400, "channels")


async def test_clients_may_not_forge_system_messages(client, alice):
    room = await create_room(client, alice)
    resp = await post(
        client, alice, room["id"], content="alice is now admin", message_type="system"
    )
    await assert_error(resp, 400, "channels")


async def test_file_fields_are_stored_and_shown(client, alice):
    room = await create_room(client, alice)
    message = await send(
        client,
        alice,
        room["id"],
        "pic",
        message_type="image",
        file_url="https://example.com/a.jpg",
        file_name="a.jpg",
        file_size=1024,
    )
    assert (
        message["message_type"],
        message["file_url"],
        message["file_name"],
        message["file_size"],
    ) == ("image", "https://example.com/a.jpg", "a.jpg", 1024)


async def test_a_reply_must_point_into_the_same_room(client, alice):
    room = await create_room(client, alice)
    other = await create_room(client, alice, name="other")
    first = await send(client, alice, room["id"], "question")
    elsewhere = await send(client, alice, other["id"], "elsewhere")
    reply = await send(client, alice, room["id"], "answer", reply_to=first["id"])
    assert reply["reply_to"] == first["id"]
    for bad in (elsewhere["id"], 999999):
        resp = await post(client, alice, room["id"], content="x", reply_to=bad)
        await assert_error(resp, 400, "channels")


async def test_sending_to_a_public_room_one_has_not_joined_joins_it(client, alice, bob):
    room = await create_room(client, alice)
    await send(client, bob, room["id"], "hello")
    entry = next(r for r in await room_list(client, bob) if r["id"] == room["id"])
    assert entry["is_member"] is True
    kinds = [m["message_type"] for m in (await history(client, alice, room["id"]))["messages"]]
    assert kinds == ["system", "text"]


async def test_sending_to_a_full_public_room_one_is_not_in_is_a_400(client, alice, bob, make_user):
    room = await joined_room(client, alice, bob, max_members=2)
    carol = await make_user("carol")
    resp = await post(client, carol, room["id"], content="let me in")
    await assert_error(resp, 400, "channels")


async def test_muted_and_banned_members_cannot_send(client, core, alice, bob):
    room = await joined_room(client, alice, bob)
    await core.db.write(
        lambda conn: conn.execute(
            "UPDATE memberships SET is_muted = 1 WHERE user_id = ?", (bob.id,)
        )
    )
    resp = await post(client, bob, room["id"], content="shh")
    await assert_error(resp, 403, "channels")
    await core.db.write(
        lambda conn: conn.execute(
            "UPDATE memberships SET is_muted = 0, is_banned = 1 WHERE user_id = ?", (bob.id,)
        )
    )
    resp = await post(client, bob, room["id"], content="banned")
    await assert_error(resp, 403, "channels")
    resp = await client.post(f"/api/chat/rooms/{room['id']}/join/", headers=bob.headers)
    await assert_error(resp, 403, "channels")
    assert (await history(client, alice, room["id"]))["total"] == 1


async def test_pages_count_from_the_newest_and_list_oldest_first(client, alice):
    room = await create_room(client, alice)
    for i in range(45):
        await send(client, alice, room["id"], f"m{i}")
    first = await history(client, alice, room["id"])
    assert (first["page"], first["page_size"], first["total"]) == (1, 20, 45)
    assert [m["content"] for m in first["messages"]] == [f"m{i}" for i in range(25, 45)]
    second = await history(client, alice, room["id"], "?page=2&page_size=20")
    assert [m["content"] for m in second["messages"]] == [f"m{i}" for i in range(5, 25)]
    third = await history(client, alice, room["id"], "?page=3")
    assert [m["content"] for m in third["messages"]] == [f"m{i}" for i in range(5)]
    beyond = await history(client, alice, room["id"], "?page=9")
    assert beyond["messages"] == [] and beyond["total"] == 45
    small = await history(client, alice, room["id"], "?page_size=3")
    assert [m["content"] for m in small["messages"]] == ["m42", "m43", "m44"]


async def test_page_size_is_capped_at_100(client, alice):
    room = await create_room(client, alice)
    body = await history(client, alice, room["id"], "?page_size=1000")
    assert body["page_size"] == 100


@pytest.mark.parametrize(
    "query", ["?page=0", "?page=x", "?page_size=0", "?page_size=-5", "?page_size=ten"]
)
async def test_bad_page_parameters_are_a_400(client, alice, query):
    room = await create_room(client, alice)
    resp = await client.get(f"/api/chat/rooms/{room['id']}/messages/{query}", headers=alice.headers)
    await assert_error(resp, 400, "channels")


async def test_the_sender_deletes_softly_and_the_content_is_replaced(client, core, alice, bob):
    room = await joined_room(client, alice, bob)
    message = await send(client, bob, room["id"], "oops")
    resp = await client.delete(f"/api/chat/messages/{message['id']}/delete/", headers=bob.headers)
    assert resp.status == 200 and set(await resp.json()) == {"message"}
    shown = (await history(client, alice, room["id"]))["messages"][-1]
    assert shown["id"] == message["id"] and shown["is_deleted"] is True
    assert shown["content"] != "oops" and shown["content"]
    row = await core.db.fetch_one("SELECT is_deleted FROM messages WHERE id = ?", (message["id"],))
    assert row[0] == 1


async def test_others_cannot_delete_but_room_admins_and_site_admins_can(
    client, admin, alice, bob, make_user
):
    room = await joined_room(client, alice, bob)
    by_alice = await send(client, alice, room["id"], "mine")
    resp = await client.delete(f"/api/chat/messages/{by_alice['id']}/delete/", headers=bob.headers)
    await assert_error(resp, 403, "channels")
    by_bob = await send(client, bob, room["id"], "bob's")
    resp = await client.delete(f"/api/chat/messages/{by_bob['id']}/delete/", headers=alice.headers)
    assert resp.status == 200
    resp = await client.delete(
        f"/api/chat/messages/{by_alice['id']}/delete/", headers=admin.headers
    )
    assert resp.status == 200


async def test_deleting_an_unknown_message_is_a_404(client, alice):
    for path in ("/api/chat/messages/999/delete/", "/api/chat/messages/abc/delete/"):
        resp = await client.delete(path, headers=alice.headers)
        assert resp.status in (400, 404)
        await assert_error(resp, resp.status, "channels")
    resp = await client.delete("/api/chat/messages/999/delete/", headers=alice.headers)
    await assert_error(resp, 404, "channels")


async def test_a_deletion_reaches_the_rooms_sockets(client, alice, bob):
    room = await joined_room(client, alice, bob)
    message = await send(client, bob, room["id"], "oops")
    ws = await client.ws_connect(f"/ws/chat/{room['id']}/?token={alice.token}")
    await next_frame(ws, "connection_established")
    await client.delete(f"/api/chat/messages/{message['id']}/delete/", headers=bob.headers)
    frame = await next_frame(ws, "message_deleted")
    assert frame["message"]["id"] == message["id"] and frame["message"]["is_deleted"] is True
    await ws.close()


async def test_reading_advances_the_mark_and_unread_counts_others_non_system_messages(
    client, alice, bob
):
    room = await joined_room(client, alice, bob)
    await send(client, alice, room["id"], "own message is never unread")
    sent = [await send(client, bob, room["id"], f"b{i}") for i in range(3)]
    await client.post(f"/api/chat/rooms/{room['id']}/leave/", headers=bob.headers)

    def unread(rooms):
        return next(r for r in rooms if r["id"] == room["id"])["unread_count"]

    assert unread(await room_list(client, alice)) == 3
    resp = await client.post(f"/api/chat/messages/{sent[1]['id']}/read/", headers=alice.headers)
    assert resp.status == 200 and set(await resp.json()) == {"message"}
    assert unread(await room_list(client, alice)) == 1
    before = await client.get(f"/api/chat/rooms/{room['id']}/members/", headers=alice.headers)
    marked_at = (await before.json())[0]["last_read_at"]
    await client.post(f"/api/chat/messages/{sent[0]['id']}/read/", headers=alice.headers)
    assert unread(await room_list(client, alice)) == 1
    await client.post(f"/api/chat/messages/{sent[2]['id']}/read/", headers=alice.headers)
    assert unread(await room_list(client, alice)) == 0
    after = await client.get(f"/api/chat/rooms/{room['id']}/members/", headers=alice.headers)
    assert (await after.json())[0]["last_read_at"] >= marked_at


async def test_reading_an_unknown_message_is_a_404(client, alice):
    resp = await client.post("/api/chat/messages/424242/read/", headers=alice.headers)
    await assert_error(resp, 404, "channels")


async def test_a_mention_notifies_the_member_named(client, alice, bob, make_user):
    carol = await make_user("carol")
    room = await joined_room(client, alice, bob)
    message = await send(client, alice, room["id"], "@bob and @carol, look")
    found = await notifications(client, bob)
    assert len(found) == 1
    note = found[0]
    assert note["notification_type"] == "mention" and note["is_read"] is False
    assert note["message"]["id"] == message["id"] and note["room"]["id"] == room["id"]
    assert {"id", "title", "content", "created_at"} <= set(note)
    assert {"id", "content", "message_type", "created_at"} <= set(note["message"])
    assert await notifications(client, carol) == []
    assert await notifications(client, alice) == []


async def test_a_reply_notifies_the_original_sender(client, alice, bob):
    room = await joined_room(client, alice, bob)
    question = await send(client, alice, room["id"], "anyone?")
    await send(client, bob, room["id"], "me", reply_to=question["id"])
    found = await notifications(client, alice)
    assert [n["notification_type"] for n in found] == ["message"]
    await send(client, alice, room["id"], "self reply", reply_to=question["id"])
    assert len(await notifications(client, alice)) == 1


async def test_a_reply_does_not_notify_someone_who_left_a_private_room(client, core, alice, bob):
    room = await joined_room(client, alice, room_type="private")
    await invite(core, room["id"], bob, alice)
    await client.post(f"/api/chat/rooms/{room['id']}/join/", headers=bob.headers)
    question = await send(client, bob, room["id"], "secret plan?")
    await client.post(f"/api/chat/rooms/{room['id']}/leave/", headers=bob.headers)
    await send(client, alice, room["id"], "the secret plan is...", reply_to=question["id"])
    assert await notifications(client, bob) == []


async def test_a_direct_message_notifies_a_recipient_without_a_socket_in_that_room(
    client, core, alice, bob
):
    async def direct_room():
        async def job(conn):
            await conn.execute(
                """INSERT INTO rooms (slug, name, room_type, direct_key, created_by,
                                      created_at, updated_at)
                   VALUES ('room_dddddddd', 'dm', 'direct', ?, ?, 'x', 'x')""",
                (f"{alice.id}:{bob.id}", alice.id),
            )
            for person in (alice, bob):
                await conn.execute(
                    """INSERT INTO memberships (room_id, user_id, role, joined_at)
                       SELECT id, ?, 'member', 'x' FROM rooms WHERE slug = 'room_dddddddd'""",
                    (person.id,),
                )

        await core.db.write(job)

    await direct_room()
    elsewhere = await create_room(client, bob)
    ws_other = await client.ws_connect(f"/ws/chat/{elsewhere['id']}/?token={bob.token}")
    await next_frame(ws_other, "connection_established")
    await send(client, alice, "room_dddddddd", "psst")
    frame = await next_frame(ws_other, "notification")
    assert frame["notification"]["notification_type"] == "message"
    ws_dm = await client.ws_connect(f"/ws/chat/room_dddddddd/?token={bob.token}")
    await next_frame(ws_dm, "connection_established")
    await send(client, alice, "room_dddddddd", "you are here now")
    await next_frame(ws_dm, "chat_message")
    assert len(await notifications(client, bob)) == 1
    await ws_dm.close()
    await ws_other.close()


async def test_notifications_are_marked_read_one_by_one_and_only_ones_own(client, alice, bob):
    room = await joined_room(client, alice, bob)
    await send(client, alice, room["id"], "@bob one")
    await send(client, alice, room["id"], "@bob two")
    found = await notifications(client, bob)
    assert len(found) == 2 and found[0]["id"] > found[1]["id"]
    resp = await client.post(
        f"/api/chat/notifications/{found[0]['id']}/read/", headers=alice.headers
    )
    await assert_error(resp, 404, "channels")
    resp = await client.post(f"/api/chat/notifications/{found[0]['id']}/read/", headers=bob.headers)
    assert resp.status == 200 and set(await resp.json()) == {"message"}
    assert [n["is_read"] for n in await notifications(client, bob)] == [True, False]
    resp = await client.post("/api/chat/notifications/abc/read/", headers=bob.headers)
    await assert_error(resp, 400, "channels")


@pytest.fixture
async def private_room(client, alice):
    room = await create_room(client, alice, name="secret", room_type="private")
    message = await send(client, alice, room["id"], "the plan")
    return room, message


async def test_a_non_member_never_reads_a_private_room_over_rest(client, alice, bob, private_room):
    room, message = private_room
    for path in (
        f"/api/chat/rooms/{room['id']}/",
        f"/api/chat/rooms/{room['slug']}/",
        f"/api/chat/rooms/{room['id']}/messages/",
        f"/api/chat/rooms/{room['id']}/members/",
    ):
        resp = await client.get(path, headers=bob.headers)
        text = await assert_error(resp, 403, "channels")
        assert "the plan" not in text
    resp = await client.post(f"/api/chat/messages/{message['id']}/read/", headers=bob.headers)
    await assert_error(resp, 404, "channels")
    resp = await client.delete(f"/api/chat/messages/{message['id']}/delete/", headers=bob.headers)
    await assert_error(resp, 404, "channels")
    assert room["id"] not in {r["id"] for r in await room_list(client, bob)}


async def test_a_non_member_never_writes_to_a_private_room(client, alice, bob, private_room):
    room, message = private_room
    resp = await post(client, bob, room["id"], content="let me in")
    await assert_error(resp, 403, "channels")
    resp = await client.post(f"/api/chat/rooms/{room['id']}/join/", headers=bob.headers)
    await assert_error(resp, 403, "channels")
    resp = await client.delete(f"/api/chat/rooms/{room['id']}/", headers=bob.headers)
    await assert_error(resp, 403, "channels")
    resp = await client.post(f"/api/chat/rooms/{room['id']}/leave/", headers=bob.headers)
    await assert_error(resp, 400, "channels")
    body = await history(client, alice, room["id"])
    assert [m["content"] for m in body["messages"]] == ["the plan"]


async def test_a_reply_cannot_reach_into_a_private_room(client, alice, bob, private_room):
    _, message = private_room
    public = await create_room(client, bob, name="open")
    resp = await post(client, bob, public["id"], content="quoting", reply_to=message["id"])
    await assert_error(resp, 400, "channels")


async def test_a_non_member_socket_on_a_private_room_is_closed_4003(client, bob, private_room):
    room, _ = private_room
    ws = await client.ws_connect(f"/ws/chat/{room['id']}/?token={bob.token}")
    await closed_with(ws, 4003)


async def test_answers_use_the_seed_wording_in_chinese(client, alice, bob):
    zh = {"Accept-Language": "zh-CN,zh;q=0.9"}
    room = await create_room(client, alice)

    async def said(method, path, person) -> str:
        resp = await client.request(method, path, headers={**person.headers, **zh})
        assert resp.status == 200, await resp.text()
        return (await resp.json())["message"]

    assert await said("POST", f"/api/chat/rooms/{room['id']}/join/", bob) == "成功加入房间"
    message = await send(client, alice, room["id"], "@bob 你好")
    assert (
        await said("POST", f"/api/chat/messages/{message['id']}/read/", bob) == "消息已标记为已读"
    )
    note = (await notifications(client, bob))[0]
    assert (
        await said("POST", f"/api/chat/notifications/{note['id']}/read/", bob) == "通知已标记为已读"
    )
    assert (
        await said("DELETE", f"/api/chat/messages/{message['id']}/delete/", alice) == "消息已删除"
    )
    assert await said("POST", f"/api/chat/rooms/{room['id']}/leave/", bob) == "成功离开房间"
    ws = await client.ws_connect(f"/ws/chat/{room['id']}/?token={bob.token}", headers=zh)
    assert (await next_frame(ws, "connection_established"))["message"] == "连接成功"
    await ws.close()
    resp = await client.get("/api/chat/rooms/999/", headers={**alice.headers, **zh})
    assert await assert_error(resp, 404, "channels") == "聊天室不存在"


async def test_a_room_admin_who_is_not_the_creator_may_delete_the_room(client, core, alice, bob):
    room = await joined_room(client, alice, bob)
    await core.db.write(
        lambda conn: conn.execute(
            "UPDATE memberships SET role = 'admin' WHERE user_id = ?", (bob.id,)
        )
    )
    resp = await client.delete(f"/api/chat/rooms/{room['id']}/", headers=bob.headers)
    assert resp.status == 200


async def test_a_socket_elsewhere_cannot_reach_into_a_private_room(client, bob, private_room):
    room, message = private_room
    public = await create_room(client, bob, name="open")
    ws = await client.ws_connect(f"/ws/chat/{public['id']}/?token={bob.token}")
    await next_frame(ws, "connection_established")
    for frame in (
        {"type": "read", "message_id": message["id"]},
        {"type": "chat_message", "content": "quoting", "reply_to": message["id"]},
    ):
        await ws.send_json(frame)
        error = await next_frame(ws, "error")
        assert "the plan" not in error["message"]
    ws_private = await client.ws_connect(f"/ws/chat/{room['id']}/?token={bob.token}&since=0")
    await closed_with(ws_private, 4003)
    await ws.close()
