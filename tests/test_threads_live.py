"""Threads live (issue 28): user-socket frames, read marks across tabs, notifications of
followed threads, exact counters under concurrent replies, and the seed dialects, which
see every reply as an ordinary message with reply_to."""

import asyncio

from tests.helpers import connect, make_room, next_frame, no_frame, post_message
from tests.threadkit import join, reply, thread


async def user_socket(client, person):
    ws = await client.ws_connect(f"/ws/user/?token={person.token}")
    await next_frame(ws, "connection_established")
    return ws


async def notifications(client, person) -> list[dict]:
    return await (await client.get("/api/chat/notifications/", headers=person.headers)).json()


async def test_a_reply_brings_the_message_the_summary_and_the_followers_counts(
    client, alice, bob, make_user
):
    carol = await make_user("carol")
    room = await make_room(client, alice)
    for person in (bob, carol):
        await join(client, person, room)
    root = await post_message(client, alice, room, "design review")
    ws_alice, ws_carol = await user_socket(client, alice), await user_socket(client, carol)
    sent = await reply(client, bob, root["id"], "looks good")
    for ws in (ws_alice, ws_carol):
        frame = await next_frame(ws, "chat_message")
        assert frame["message"]["thread_id"] == root["id"] and frame["message"]["thread_only"]
        updated = await next_frame(ws, "thread_updated")
        assert updated["room_id"] == room["id"]
        assert (updated["thread"]["root_id"], updated["thread"]["reply_count"]) == (root["id"], 1)
    state = await next_frame(ws_alice, "thread_state")  # alice started it: she follows
    assert state["follow"] == {
        "root_id": root["id"],
        "room_id": room["id"],
        "following": True,
        "last_read_id": sent["id"] - 1,
        "unread_count": 1,
        "mention_count": 0,
    }
    await no_frame(ws_carol, "thread_state")  # carol does not follow
    for ws in (ws_alice, ws_carol):
        await ws.close()


async def test_a_read_mark_in_one_tab_moves_the_others(client, alice, bob):
    room = await make_room(client, alice)
    await join(client, bob, room)
    root = await post_message(client, alice, room, "question")
    await reply(client, bob, root["id"], "answer")
    tab_one, tab_two = await user_socket(client, alice), await user_socket(client, alice)
    resp = await client.post(f"/api/chat/threads/{root['id']}/read/", headers=alice.headers)
    assert resp.status == 200
    for ws in (tab_one, tab_two):
        frame = await next_frame(ws, "thread_state")
        assert (frame["follow"]["unread_count"], frame["follow"]["following"]) == (0, True)
    for ws in (tab_one, tab_two):
        await ws.close()


async def test_a_followed_thread_notifies_at_the_rooms_level(client, alice, bob, make_user):
    carol = await make_user("carol")
    room = await make_room(client, alice)
    for person in (bob, carol):
        await join(client, person, room)
    root = await post_message(client, bob, room, "bob's question")
    await reply(client, alice, root["id"], "first answer")  # alice follows by replying
    await client.put(f"/api/chat/threads/{root['id']}/follow/", headers=carol.headers)
    resp = await client.patch(
        f"/api/chat/rooms/{room['id']}/notifications/",
        json={"notify_level": "mentions"},
        headers=carol.headers,
    )
    assert resp.status == 200, await resp.text()
    second = await reply(client, bob, root["id"], "second answer")
    [told] = [n for n in await notifications(client, alice) if n["message"]["id"] == second["id"]]
    assert told["notification_type"] == "message" and not told["is_read"]
    assert told["message"]["thread_id"] == root["id"]
    assert "replied in a thread" in told["title"]
    # carol asked for mentions only: a reply in a thread she follows is not one
    assert not [n for n in await notifications(client, carol) if n["message"]["id"] == second["id"]]
    await client.post(f"/api/chat/threads/{root['id']}/read/", headers=alice.headers)
    [told] = [n for n in await notifications(client, alice) if n["message"]["id"] == second["id"]]
    assert told["is_read"]


async def test_reading_the_room_leaves_thread_notifications_unread(client, alice, bob):
    room = await make_room(client, alice)
    await join(client, bob, room)
    root = await post_message(client, alice, room, "root")
    sent = await reply(client, bob, root["id"], "in the thread")
    later = await post_message(client, bob, room, "in the room")
    await client.post(f"/api/chat/messages/{later['id']}/read/", headers=alice.headers)
    [told] = [n for n in await notifications(client, alice) if n["message"]["id"] == sent["id"]]
    assert not told["is_read"]


async def test_counters_stay_exact_under_concurrent_replies(client, alice, bob, make_user):
    carol = await make_user("carol")
    room = await make_room(client, alice)
    for person in (bob, carol):
        await join(client, person, room)
    root = await post_message(client, alice, room, "race")
    await client.put(f"/api/chat/threads/{root['id']}/follow/", headers=carol.headers)
    people = [alice, bob] * 20
    sent = await asyncio.gather(
        *(reply(client, p, root["id"], f"r{n}") for n, p in enumerate(people))
    )
    page = await thread(client, carol, root["id"], limit=100)
    assert page["thread"]["reply_count"] == 40 == len(page["results"])
    assert page["follow"]["unread_count"] == 40
    assert (await thread(client, alice, root["id"]))["follow"]["unread_count"] == 20
    # bob follows from his first reply on, having read what came before it
    bob_first = min(m["id"] for m in sent if m["sender"]["username"] == "bob")
    after = [m for m in sent if m["sender"]["username"] == "alice" and m["id"] > bob_first]
    assert (await thread(client, bob, root["id"]))["follow"]["unread_count"] == len(after)
    assert page["thread"]["last_reply_id"] == max(m["id"] for m in sent)


async def test_seed_sockets_receive_thread_only_replies_as_messages_with_reply_to(
    client, alice, bob
):
    room = await make_room(client, alice)
    await join(client, bob, room)
    channels_ws = await connect(client, bob, room)
    v1_ws = await client.ws_connect(f"/api/v1/chatroom/ws/{room['id']}/{bob.token}")
    root = await post_message(client, alice, room, "root")
    await next_frame(channels_ws, "chat_message")
    await next_frame(v1_ws, "message")
    sent = await reply(client, alice, root["id"], "thread only")
    frame = await next_frame(channels_ws, "chat_message")
    assert (frame["message"]["id"], frame["message"]["reply_to"]) == (sent["id"], root["id"])
    frame = await next_frame(v1_ws, "message")
    assert (frame["message_id"], frame["content"]) == (sent["id"], "thread only")
    await no_frame(channels_ws, "thread_updated")
    await no_frame(v1_ws, "thread_updated")
    for ws in (channels_ws, v1_ws):
        await ws.close()


async def test_seed_rest_sees_replies_as_today(client, alice, bob):
    room = await make_room(client, alice)
    await join(client, bob, room)
    root = await post_message(client, alice, room, "root")
    sent = await reply(client, bob, root["id"], "thread only")
    simple = await (
        await client.get(
            "/api/chat/messages", params={"room_id": room["slug"]}, headers=bob.headers
        )
    ).json()
    found = [m for m in simple if m["id"] == str(sent["id"])]
    assert found and found[0]["reply_to"] == str(root["id"])
    assert set(found[0]) == {
        "id", "sender_id", "sender_name", "is_bot", "message_type", "content", "file_url",
        "file_name", "file_size", "timestamp", "reply_to", "room_id", "is_edited", "is_deleted",
        "client_id",
    }  # fmt: skip


async def test_a_seed_clients_reply_to_stays_in_the_room_and_joins_the_thread(client, alice, bob):
    room = await make_room(client, alice)
    await join(client, bob, room)
    root = await post_message(client, alice, room, "root")
    resp = await client.post(
        f"/api/chat/rooms/{room['id']}/messages/",
        json={"content": "quoted reply", "reply_to": root["id"]},
        headers=bob.headers,
    )
    sent = await resp.json()
    assert (sent["thread_id"], sent["thread_only"]) == (root["id"], False)
    timeline = await (
        await client.get(f"/api/chat/rooms/{room['id']}/timeline/", headers=alice.headers)
    ).json()
    assert sent["id"] in [m["id"] for m in timeline["messages"]]
    assert [m["id"] for m in (await thread(client, alice, root["id"]))["results"]] == [sent["id"]]
