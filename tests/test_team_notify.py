"""Team features: @here and @all, and per-room notification levels and "mute room"."""

import dataclasses

import pytest

from chat.app import create_app
from tests.helpers import assert_error, connect, make_room, next_frame, post_message, register
from tests.pgcluster import both_engines


async def join(client, person, room):
    resp = await client.post(f"/api/chat/rooms/{room['id']}/join/", headers=person.headers)
    assert resp.status == 200, await resp.text()


async def notified(client, person) -> list[str]:
    rows = await (await client.get("/api/chat/notifications/", headers=person.headers)).json()
    return [
        (n["notification_type"], n["message"]["content"] if n["message"] else None) for n in rows
    ]


async def listing(client, person, room) -> dict:
    rooms = await (await client.get("/api/chat/rooms/", headers=person.headers)).json()
    return next(r for r in rooms if r["id"] == room["id"])


async def test_at_here_notifies_members_online_and_at_all_everyone(client, alice, bob, make_user):
    carol = await make_user("carol")
    room = await make_room(client, alice)
    for person in (bob, carol):
        await join(client, person, room)
    ws_bob = await connect(client, bob, room)  # bob is online, carol is not
    await post_message(client, alice, room, "@here standup in 5")
    frame = await next_frame(ws_bob, "notification")
    assert frame["notification"]["notification_type"] == "mention"
    assert await notified(client, carol) == []
    assert await notified(client, alice) == []  # never the sender
    await post_message(client, alice, room, "release is out @all.")
    assert await notified(client, carol) == [("mention", "release is out @all.")]
    assert len(await notified(client, bob)) == 2
    await ws_bob.close()


@pytest.fixture
async def small_limit_client(aiohttp_client, settings):
    return await aiohttp_client(create_app(dataclasses.replace(settings, all_mention_limit=2)))


async def test_at_all_in_a_big_room_is_for_moderators_only(small_limit_client):
    client = small_limit_client
    admin, alice, bob, carol = [
        await register(client, n) for n in ("root", "alice", "bob", "carol")
    ]
    room = await make_room(client, alice)
    await join(client, bob, room)
    await post_message(client, bob, room, "@all fine while the room is small")
    await join(client, carol, room)
    resp = await client.post(
        f"/api/chat/rooms/{room['id']}/messages/", json={"content": "hey @all"}, headers=bob.headers
    )
    text = await assert_error(resp, 403, "channels")
    assert "@all" in text and "2" in text
    ws = await connect(client, bob, room)
    await ws.send_json({"type": "chat_message", "content": "@all via socket"})
    assert "@all" in (await next_frame(ws, "error"))["message"]
    await ws.close()
    await post_message(client, bob, room, "@here is fine for anyone")
    await post_message(client, alice, room, "@all from the room admin")  # room admin
    await post_message(client, admin, room, "@all from a site admin")
    await client.patch(
        f"/api/chat/rooms/{room['id']}/members/{bob.id}/",
        json={"role": "moderator"},
        headers=alice.headers,
    )
    await post_message(client, bob, room, "@all from a moderator")


@both_engines
async def test_notification_levels_decide_which_rows_are_created(client, alice, bob, make_user):
    carol = await make_user("carol")
    room = await make_room(client, alice)
    for person in (bob, carol):
        await join(client, person, room)
    first = await post_message(client, bob, room, "my question")
    resp = await client.patch(
        f"/api/chat/rooms/{room['id']}/notifications/",
        json={"notify_level": "nothing"},
        headers=bob.headers,
    )
    assert resp.status == 200, await resp.text()
    assert await resp.json() == {
        "room_id": room["id"],
        "notify_level": "nothing",
        "room_muted": False,
    }
    resp = await client.patch(
        f"/api/chat/rooms/{room['id']}/notifications/",
        json={"notify_level": "mentions"},
        headers=carol.headers,
    )
    resp = await client.post(
        f"/api/chat/rooms/{room['id']}/messages/",
        json={"content": "@bob @carol answer", "reply_to": first["id"]},
        headers=alice.headers,
    )
    assert resp.status == 201
    assert await notified(client, bob) == []
    assert await notified(client, carol) == [("mention", "@bob @carol answer")]
    assert (await listing(client, bob, room))["notify_level"] == "nothing"


async def test_mentions_level_drops_direct_message_rows_but_keeps_mentions(client, alice, bob):
    resp = await client.post("/api/chat/direct/", json={"username": "bob"}, headers=alice.headers)
    direct = await resp.json()
    await client.patch(
        f"/api/chat/rooms/{direct['id']}/notifications/",
        json={"notify_level": "mentions"},
        headers=bob.headers,
    )
    await post_message(client, alice, direct, "hello there")
    assert await notified(client, bob) == []
    await post_message(client, alice, direct, "@bob look")
    assert await notified(client, bob) == [("mention", "@bob look")]


async def test_a_muted_room_lists_its_unread_mentions_for_the_badge(client, alice, bob):
    room = await make_room(client, alice)
    await join(client, bob, room)
    other_tab = await connect(client, bob, room)
    resp = await client.patch(
        f"/api/chat/rooms/{room['id']}/notifications/",
        json={"room_muted": True},
        headers=bob.headers,
    )
    assert (await resp.json())["room_muted"] is True
    frame = await next_frame(other_tab, "notify_preferences")
    assert frame == {
        "type": "notify_preferences",
        "room_id": room["id"],
        "notify_level": "default",
        "room_muted": True,
    }
    await other_tab.close()
    await post_message(client, alice, room, "noise")
    mention = await post_message(client, alice, room, "@bob a real question")
    entry = await listing(client, bob, room)
    assert (entry["room_muted"], entry["unread_count"], entry["mention_count"]) == (True, 2, 1)
    await client.post(f"/api/chat/messages/{mention['id']}/read/", headers=bob.headers)
    assert (await listing(client, bob, room))["mention_count"] == 0


async def test_preferences_need_membership_and_valid_values(client, alice, bob):
    room = await make_room(client, alice)
    url = f"/api/chat/rooms/{room['id']}/notifications/"
    await assert_error(
        await client.patch(url, json={"notify_level": "all"}, headers=bob.headers), 403, "channels"
    )
    resp = await client.patch(url, json={"notify_level": "all"}, headers=alice.headers)
    assert (await resp.json())["notify_level"] == "all"
    assert (await listing(client, alice, room))["notify_level"] == "all"
    await assert_error(
        await client.patch(url, json={"notify_level": "loud"}, headers=alice.headers),
        400,
        "channels",
    )
    await assert_error(
        await client.patch(url, json={"room_muted": "yes"}, headers=alice.headers), 400, "channels"
    )


async def test_search_finds_words_inside_markdown(client, alice):
    room = await make_room(client, alice)
    await post_message(
        client, alice, room, "run **deploy_prod** then `make check`\n```\nlaunch()\n```"
    )
    for query in ("deploy_prod", "make check", "launch"):
        resp = await client.get("/api/chat/search/", params={"q": query}, headers=alice.headers)
        assert len((await resp.json())["results"]) == 1, query
