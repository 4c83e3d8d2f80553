"""Native: editing one's own messages, the edit history, message_updated frames."""

from tests.helpers import assert_error, connect, make_room, next_frame, post_message
from tests.pgcluster import both_engines


async def edit(client, person, message_id: int, content):
    return await client.patch(
        f"/api/chat/messages/{message_id}/", json={"content": content}, headers=person.headers
    )


async def set_member(client, owner, room, person, **change):
    resp = await client.patch(
        f"/api/chat/rooms/{room['id']}/members/{person.id}/", json=change, headers=owner.headers
    )
    assert resp.status == 200, await resp.text()


@both_engines
async def test_author_edits_own_message_and_the_old_text_is_kept(client, alice):
    room = await make_room(client, alice)
    message = await post_message(client, alice, room, "meeting at 3")
    resp = await edit(client, alice, message["id"], "  meeting at 4  ")
    assert resp.status == 200
    edited = await resp.json()
    assert edited["content"] == "meeting at 4"
    assert edited["is_edited"] is True
    assert edited["updated_at"] >= message["updated_at"]
    assert edited["created_at"] == message["created_at"]
    await edit(client, alice, message["id"], "meeting at 5")
    resp = await client.get(f"/api/chat/messages/{message['id']}/edits/", headers=alice.headers)
    assert resp.status == 200
    history = await resp.json()
    assert history["content"] == "meeting at 5"
    assert [e["content"] for e in history["edits"]] == ["meeting at 3", "meeting at 4"]
    assert history["edits"][0]["edited_by"]["username"] == "alice"
    page = await (
        await client.get(f"/api/chat/rooms/{room['id']}/messages/", headers=alice.headers)
    ).json()
    assert page["messages"][-1]["content"] == "meeting at 5"


async def test_only_the_author_may_edit_not_even_a_site_admin(client, admin, alice, bob):
    room = await make_room(client, alice)
    message = await post_message(client, alice, room, "mine")
    for person in (bob, admin):
        await assert_error(await edit(client, person, message["id"], "theirs"), 403, "channels")
    history = await (
        await client.get(f"/api/chat/messages/{message['id']}/edits/", headers=alice.headers)
    ).json()
    assert history["edits"] == []


async def test_deleted_and_system_messages_cannot_be_edited(client, alice, bob):
    room = await make_room(client, alice)
    message = await post_message(client, alice, room, "soon gone")
    await client.delete(f"/api/chat/messages/{message['id']}/", headers=alice.headers)
    await assert_error(await edit(client, alice, message["id"], "back"), 400, "channels")
    await client.post(f"/api/chat/rooms/{room['id']}/join/", headers=bob.headers)
    page = await (
        await client.get(f"/api/chat/rooms/{room['id']}/messages/", headers=bob.headers)
    ).json()
    joined = next(m for m in page["messages"] if m["message_type"] == "system")
    await assert_error(await edit(client, bob, joined["id"], "I own this room"), 403, "channels")


async def test_edit_content_is_checked_like_a_new_message(client, alice):
    room = await make_room(client, alice)
    message = await post_message(client, alice, room, "hello")
    for bad in ("   ", "x" * 5001, 42, None):
        await assert_error(await edit(client, alice, message["id"], bad), 400, "channels")
    await assert_error(await edit(client, alice, 999999, "hi"), 404, "channels")
    resp = await client.patch(
        f"/api/chat/messages/{message['id']}/", data="nope", headers=alice.headers
    )
    await assert_error(resp, 400, "channels")


async def test_muted_author_cannot_edit(client, alice, bob):
    room = await make_room(client, alice)
    message = await post_message(client, bob, room, "before the mute")
    await set_member(client, alice, room, bob, is_muted=True)
    await assert_error(await edit(client, bob, message["id"], "sneaky"), 403, "channels")


async def test_same_text_again_is_no_edit(client, alice):
    room = await make_room(client, alice)
    message = await post_message(client, alice, room, "same")
    edited = await (await edit(client, alice, message["id"], "same")).json()
    assert edited["is_edited"] is False


async def test_edit_history_is_for_author_room_moderators_and_site_admins(
    client, admin, alice, bob, make_user
):
    carol = await make_user("carol")
    room = await make_room(client, alice)
    for person in (bob, carol, admin):
        await client.post(f"/api/chat/rooms/{room['id']}/join/", headers=person.headers)
    message = await post_message(client, carol, room, "draft")
    await edit(client, carol, message["id"], "final")
    url = f"/api/chat/messages/{message['id']}/edits/"
    await assert_error(await client.get(url, headers=bob.headers), 403, "channels")
    await set_member(client, alice, room, bob, role="moderator")
    for person in (alice, bob, carol, admin):
        resp = await client.get(url, headers=person.headers)
        assert resp.status == 200, person.username
        assert [e["content"] for e in (await resp.json())["edits"]] == ["draft"]


async def test_private_room_edits_are_hidden_from_outsiders(client, alice, bob):
    room = await make_room(client, alice, room_type="private")
    message = await post_message(client, alice, room, "secret")
    await edit(client, alice, message["id"], "secret v2")
    resp = await client.get(f"/api/chat/messages/{message['id']}/edits/", headers=bob.headers)
    await assert_error(resp, 404, "channels")


async def test_every_socket_of_the_room_hears_message_updated(client, admin, alice, bob):
    room = await make_room(client, alice)
    ws_alice = await connect(client, alice, room)
    ws_bob = await connect(client, bob, room)
    ws_v1 = await connect(client, admin, room, "v1")
    message = await post_message(client, alice, room, "typo teh")
    await edit(client, alice, message["id"], "typo the")
    for ws in (ws_alice, ws_bob):
        frame = await next_frame(ws, "message_updated")
        assert frame["message"]["id"] == message["id"]
        assert frame["message"]["content"] == "typo the"
        assert frame["message"]["is_edited"] is True
    frame = await next_frame(ws_v1, "message_updated")
    assert frame["message_id"] == message["id"]
    assert (frame["content"], frame["is_edited"]) == ("typo the", True)
    for ws in (ws_alice, ws_bob, ws_v1):
        await ws.close()
