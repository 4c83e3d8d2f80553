"""Native: reactions toggle, show up with counts and "me", and reach sockets."""

import pytest

from tests.helpers import assert_error, connect, make_room, next_frame, post_message
from tests.pgcluster import both_engines


async def react(client, person, message_id: int, emoji):
    return await client.post(
        f"/api/chat/messages/{message_id}/reactions/", json={"emoji": emoji}, headers=person.headers
    )


async def shown(client, person, room, message_id: int) -> list[dict]:
    page = await (
        await client.get(f"/api/chat/rooms/{room['id']}/messages/", headers=person.headers)
    ).json()
    return next(m for m in page["messages"] if m["id"] == message_id)["reactions"]


async def test_a_reaction_toggles_on_then_off(client, alice):
    room = await make_room(client, alice)
    message = await post_message(client, alice, room, "ship it")
    resp = await react(client, alice, message["id"], "👍")
    assert resp.status == 201
    body = await resp.json()
    assert body["added"] is True
    assert body["reactions"] == [{"emoji": "👍", "count": 1, "user_ids": [alice.id], "me": True}]
    resp = await react(client, alice, message["id"], "👍")
    assert resp.status == 200
    assert (await resp.json())["added"] is False
    assert await shown(client, alice, room, message["id"]) == []


@both_engines
async def test_counts_add_up_and_me_is_per_viewer(client, alice, bob):
    room = await make_room(client, alice)
    await client.post(f"/api/chat/rooms/{room['id']}/join/", headers=bob.headers)
    message = await post_message(client, alice, room, "lunch?")
    await react(client, alice, message["id"], "🍜")
    await react(client, bob, message["id"], "🍜")
    await react(client, bob, message["id"], ":+1:")
    seen_by_alice = {r["emoji"]: r for r in await shown(client, alice, room, message["id"])}
    seen_by_bob = {r["emoji"]: r for r in await shown(client, bob, room, message["id"])}
    assert seen_by_alice["🍜"]["count"] == 2 and seen_by_alice["🍜"]["me"] is True
    assert seen_by_alice[":+1:"]["count"] == 1 and seen_by_alice[":+1:"]["me"] is False
    assert seen_by_bob[":+1:"]["me"] is True


@pytest.mark.parametrize("emoji", ["👍", ":+1:", ":tada:", "👨‍👩‍👧", "1️⃣", "🇨🇳", "👍🏽", "好"])
async def test_emoji_and_short_codes_are_accepted(client, alice, emoji):
    room = await make_room(client, alice)
    message = await post_message(client, alice, room, "react to me")
    resp = await react(client, alice, message["id"], emoji)
    assert resp.status == 201, await resp.text()


@pytest.mark.parametrize(
    "emoji",
    [
        "",
        " ",
        "  \t",
        "hello",
        "a b",
        "👍 👍",
        "\n",
        "x" * 17,
        "🎉" * 17,
        5,
        None,
        ["👍"],
        "<b>",
        ":no spaces:",
    ],
)
async def test_anything_else_is_refused(client, alice, emoji):
    room = await make_room(client, alice)
    message = await post_message(client, alice, room, "react to me")
    await assert_error(await react(client, alice, message["id"], emoji), 400, "channels")


async def test_only_members_react_and_private_messages_stay_hidden(client, alice, bob):
    public = await make_room(client, alice)
    private = await make_room(client, alice, room_type="private")
    open_message = await post_message(client, alice, public, "public")
    secret = await post_message(client, alice, private, "secret")
    # Reacting does not join a public room: one joins first (sending would join).
    await assert_error(await react(client, bob, open_message["id"], "👍"), 403, "channels")
    await assert_error(await react(client, bob, secret["id"], "👍"), 404, "channels")
    await client.post(f"/api/chat/rooms/{public['id']}/join/", headers=bob.headers)
    assert (await react(client, bob, open_message["id"], "👍")).status == 201


async def test_muted_members_and_deleted_messages_take_no_reactions(client, alice, bob):
    room = await make_room(client, alice)
    await client.post(f"/api/chat/rooms/{room['id']}/join/", headers=bob.headers)
    message = await post_message(client, alice, room, "hi")
    await client.patch(
        f"/api/chat/rooms/{room['id']}/members/{bob.id}/",
        json={"is_muted": True},
        headers=alice.headers,
    )
    await assert_error(await react(client, bob, message["id"], "👍"), 403, "channels")
    await client.delete(f"/api/chat/messages/{message['id']}/", headers=alice.headers)
    await assert_error(await react(client, alice, message["id"], "👍"), 400, "channels")


async def test_sockets_hear_reaction_frames(client, admin, alice, bob):
    room = await make_room(client, alice)
    ws_alice = await connect(client, alice, room)
    ws_bob = await connect(client, bob, room)
    ws_v1 = await connect(client, admin, room, "v1")
    message = await post_message(client, alice, room, "nice")
    await react(client, bob, message["id"], "🎉")
    for ws in (ws_alice, ws_bob):
        frame = await next_frame(ws, "reaction")
        assert frame["message_id"] == message["id"]
        assert (frame["emoji"], frame["added"], frame["user"]["username"]) == ("🎉", True, "bob")
        assert frame["reactions"][0]["count"] == 1
    frame = await next_frame(ws_v1, "reaction")
    assert (frame["message_id"], frame["emoji"], frame["added"]) == (message["id"], "🎉", True)
    await react(client, bob, message["id"], "🎉")
    frame = await next_frame(ws_alice, "reaction")
    assert frame["added"] is False and frame["reactions"] == []
    for ws in (ws_alice, ws_bob, ws_v1):
        await ws.close()
