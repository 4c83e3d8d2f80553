"""Threads (issue 28): replies, one level deep, counters, follows, read marks, the
Threads view and the main timeline, over the native REST API."""

from tests.helpers import assert_error, make_room, post_message
from tests.pgcluster import both_engines
from tests.threadkit import join, reply, room_unread, thread, threads_view


async def test_a_reply_to_a_reply_joins_the_roots_thread(client, alice, bob):
    room = await make_room(client, alice)
    await join(client, bob, room)
    root = await post_message(client, alice, room, "the bug in the parser")
    first = await reply(client, bob, root["id"], "I see it too")
    second = await reply(client, alice, first["id"], "fixed in main")
    assert (first["thread_id"], first["reply_to"], first["thread_only"]) == (root["id"],) * 2 + (
        True,
    )
    assert (second["thread_id"], second["reply_to"]) == (root["id"], first["id"])
    page = await thread(client, bob, second["id"])
    assert page["root"]["id"] == root["id"]
    assert [m["id"] for m in page["results"]] == [first["id"], second["id"]]
    summary = page["thread"]
    assert summary["reply_count"] == 2 and summary["last_reply_id"] == second["id"]
    assert [u["username"] for u in summary["last_repliers"]] == ["alice", "bob"]
    assert page["root"]["thread"] == summary


async def test_thread_only_replies_stay_out_of_the_timeline_and_the_rooms_unread(
    client, alice, bob, make_user
):
    carol = await make_user("carol")
    room = await make_room(client, alice)
    for person in (bob, carol):
        await join(client, person, room)
    root = await post_message(client, alice, room, "lunch?")
    for n in range(5):
        await reply(client, bob, root["id"], f"reply {n}")
    loud = await reply(client, bob, root["id"], "everyone: noon", also_to_room=True)
    timeline = await (
        await client.get(f"/api/chat/rooms/{room['id']}/timeline/", headers=carol.headers)
    ).json()
    said = [m for m in timeline["messages"] if m["message_type"] != "system"]
    assert [m["id"] for m in said] == [root["id"], loud["id"]]
    assert timeline["total"] == len(timeline["messages"])
    assert said[0]["thread"]["reply_count"] == 6
    assert await room_unread(client, carol, room) == 2  # the root and the "also to room" line
    # the whole room (the seeds' history) still has every reply
    history = await (
        await client.get(f"/api/chat/rooms/{room['id']}/messages/", headers=carol.headers)
    ).json()
    assert len([m for m in history["messages"] if m["message_type"] != "system"]) == 7


@both_engines
async def test_followers_count_unread_and_mentions_and_read_marks_clear_them(
    client, alice, bob, make_user
):
    carol = await make_user("carol")
    room = await make_room(client, alice)
    for person in (bob, carol):
        await join(client, person, room)
    root = await post_message(client, alice, room, "release plan")
    first = await reply(client, bob, root["id"], "ship friday")
    await reply(client, bob, root["id"], "@carol can you check the notes?")
    await reply(client, bob, root["id"], "and the changelog")
    follow = (await thread(client, alice, root["id"]))["follow"]
    assert (follow["following"], follow["unread_count"], follow["mention_count"]) == (True, 3, 0)
    follow = (await thread(client, carol, root["id"]))["follow"]
    assert (follow["following"], follow["unread_count"], follow["mention_count"]) == (True, 2, 1)
    assert (await thread(client, bob, root["id"]))["follow"]["unread_count"] == 0
    resp = await client.post(
        f"/api/chat/threads/{root['id']}/read/",
        json={"message_id": first["id"]},
        headers=alice.headers,
    )
    assert (await resp.json())["unread_count"] == 2
    resp = await client.post(f"/api/chat/threads/{root['id']}/read/", headers=carol.headers)
    state = await resp.json()
    assert (state["unread_count"], state["mention_count"]) == (0, 0)


async def test_follow_and_unfollow_by_hand(client, alice, bob, make_user):
    carol = await make_user("carol")
    room = await make_room(client, alice)
    for person in (bob, carol):
        await join(client, person, room)
    root = await post_message(client, alice, room, "topic")
    await reply(client, bob, root["id"], "one")
    url = f"/api/chat/threads/{root['id']}/follow/"
    resp = await client.put(url, headers=carol.headers)
    assert resp.status == 201
    assert (await resp.json())["unread_count"] == 0  # following starts with all read
    assert (await client.put(url, headers=carol.headers)).status == 200
    await reply(client, bob, root["id"], "two")
    assert (await thread(client, carol, root["id"]))["follow"]["unread_count"] == 1
    resp = await client.delete(url, headers=carol.headers)
    assert (await resp.json())["following"] is False
    await reply(client, bob, root["id"], "three")
    assert (await threads_view(client, carol))["results"] == []
    # the root's sender unfollows; a later reply does not make her follow again
    await client.delete(url, headers=alice.headers)
    await reply(client, bob, root["id"], "four")
    assert (await thread(client, alice, root["id"]))["follow"]["following"] is False


async def test_the_threads_view_lists_unread_first_with_totals(client, alice, bob):
    room = await make_room(client, alice)
    await join(client, bob, room)
    roots = [await post_message(client, alice, room, f"topic {n}") for n in range(3)]
    for root in roots:
        await reply(client, bob, root["id"], f"re: {root['content']}")
    await client.post(f"/api/chat/threads/{roots[0]['id']}/read/", headers=alice.headers)
    await reply(client, alice, roots[2]["id"], "my own reply")
    view = await threads_view(client, alice)
    # unread first (bob's replies), then the newest reply first (alice's own in roots[2])
    assert [e["root"]["id"] for e in view["results"]] == [
        roots[2]["id"],
        roots[1]["id"],
        roots[0]["id"],
    ]
    assert [e["follow"]["unread_count"] for e in view["results"]] == [1, 1, 0]
    assert (view["unread_threads"], view["mention_count"]) == (2, 0)
    assert len((await threads_view(client, alice, limit=1, offset=1))["results"]) == 1


async def test_thread_pages_go_back_and_resume_after_a_known_reply(client, alice):
    room = await make_room(client, alice)
    root = await post_message(client, alice, room, "long thread")
    ids = [(await reply(client, alice, root["id"], f"r{n}"))["id"] for n in range(7)]
    newest = await thread(client, alice, root["id"], limit=3)
    assert [m["id"] for m in newest["results"]] == ids[-3:] and newest["has_more"]
    older = await thread(client, alice, root["id"], limit=3, before=ids[-3])
    assert [m["id"] for m in older["results"]] == ids[1:4]
    resumed = await thread(client, alice, root["id"], after=ids[2], limit=3)
    assert [m["id"] for m in resumed["results"]] == ids[3:6] and resumed["has_more"]
    rest = await thread(client, alice, root["id"], after=ids[5])
    assert [m["id"] for m in rest["results"]] == ids[6:] and not rest["has_more"]


async def test_a_non_member_of_a_private_room_reads_and_writes_nothing(client, alice, bob):
    room = await make_room(client, alice, room_type="private")
    root = await post_message(client, alice, room, "secret")
    await reply(client, alice, root["id"], "still secret")
    for resp in (
        await client.get(f"/api/chat/threads/{root['id']}/messages/", headers=bob.headers),
        await client.post(
            f"/api/chat/threads/{root['id']}/messages/", json={"content": "hi"}, headers=bob.headers
        ),
        await client.put(f"/api/chat/threads/{root['id']}/follow/", headers=bob.headers),
        await client.post(f"/api/chat/threads/{root['id']}/read/", headers=bob.headers),
    ):
        await assert_error(resp, 404, "native")
    resp = await client.get(f"/api/chat/rooms/{room['id']}/timeline/", headers=bob.headers)
    assert resp.status in (403, 404)
    assert (await threads_view(client, bob))["results"] == []


async def test_bad_input_is_a_4xx_in_the_native_shape(client, alice):
    room = await make_room(client, alice)
    root = await post_message(client, alice, room, "root")
    url = f"/api/chat/threads/{root['id']}/messages/"
    cases = [
        await client.post(url, json={"content": ""}, headers=alice.headers),
        await client.post(url, json={"content": "x", "also_to_room": "yes"}, headers=alice.headers),
        await client.get(url, params={"before": "x"}, headers=alice.headers),
        await client.get(url, params={"before": 5, "after": 2}, headers=alice.headers),
        await client.get("/api/chat/threads/abc/messages/", headers=alice.headers),
        await client.get("/api/chat/threads/", params={"limit": "-1"}, headers=alice.headers),
        await client.post(
            f"/api/chat/threads/{root['id']}/read/", json={"message_id": "x"}, headers=alice.headers
        ),
    ]
    for resp in cases:
        assert 400 <= resp.status < 500
        await assert_error(resp, resp.status, "native")
    await assert_error(
        await client.get("/api/chat/threads/999999/messages/", headers=alice.headers), 404, "native"
    )


async def test_deleting_a_root_keeps_its_thread_readable(client, alice, bob):
    room = await make_room(client, alice)
    await join(client, bob, room)
    root = await post_message(client, alice, room, "soon gone")
    kept = await reply(client, bob, root["id"], "my answer stays")
    assert (await client.delete(f"/api/chat/messages/{root['id']}/", headers=alice.headers)).ok
    page = await thread(client, bob, root["id"])
    assert page["root"]["is_deleted"] and page["root"]["content"] != "soon gone"
    assert [m["id"] for m in page["results"]] == [kept["id"]]
    assert page["thread"]["reply_count"] == 1
    await client.delete(f"/api/chat/messages/{kept['id']}/", headers=bob.headers)
    page = await thread(client, bob, root["id"])
    assert page["thread"]["reply_count"] == 0 and page["results"][0]["is_deleted"]


async def test_a_deleted_unread_reply_leaves_the_unread_count(client, alice, bob):
    room = await make_room(client, alice)
    await join(client, bob, room)
    root = await post_message(client, alice, room, "root")
    gone = await reply(client, bob, root["id"], "oops")
    await reply(client, bob, root["id"], "meant this")
    assert (await thread(client, alice, root["id"]))["follow"]["unread_count"] == 2
    await client.delete(f"/api/chat/messages/{gone['id']}/", headers=bob.headers)
    assert (await thread(client, alice, root["id"]))["follow"]["unread_count"] == 1


@both_engines
async def test_a_repeated_client_id_answers_the_stored_reply_and_counts_once(client, alice):
    room = await make_room(client, alice)
    root = await post_message(client, alice, room, "root")
    first = await reply(client, alice, root["id"], "once", client_id="c-1")
    resp = await client.post(
        f"/api/chat/threads/{root['id']}/messages/",
        json={"content": "once", "client_id": "c-1"},
        headers=alice.headers,
    )
    assert resp.status == 200 and (await resp.json())["id"] == first["id"]
    assert (await thread(client, alice, root["id"]))["thread"]["reply_count"] == 1


async def test_a_read_mark_beyond_the_last_reply_leaves_later_replies_unread(client, alice, bob):
    room = await make_room(client, alice)
    await join(client, bob, room)
    root = await post_message(client, alice, room, "root")
    await reply(client, bob, root["id"], "one")
    resp = await client.post(
        f"/api/chat/threads/{root['id']}/read/", json={"message_id": 10**9}, headers=alice.headers
    )
    assert (await resp.json())["unread_count"] == 0
    await reply(client, bob, root["id"], "two")
    assert (await thread(client, alice, root["id"]))["follow"]["unread_count"] == 1
