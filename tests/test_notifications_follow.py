"""Notifications follow the messages they are about: reading a room reads the mentions in
it (up to the read mark, and only there), and an edit rewrites the text they quote."""

from __future__ import annotations

from tests.helpers import connect, make_room, next_frame, post_message
from tests.pgcluster import both_engines


async def notifications(client, person) -> list[dict]:
    return await (await client.get("/api/chat/notifications/", headers=person.headers)).json()


@both_engines
async def test_reading_a_room_reads_the_mentions_up_to_the_read_mark(client, alice, bob):
    room = await make_room(client, alice, name="kitchen")
    other = await make_room(client, alice, name="garden")
    for place in (room, other):
        resp = await client.post(f"/api/chat/rooms/{place['id']}/join/", headers=bob.headers)
        assert resp.status == 200, await resp.text()
    first = await post_message(client, alice, room, "@bob the kettle")
    elsewhere = await post_message(client, alice, other, "@bob the roses")
    later = await post_message(client, alice, room, "@bob the teapot too")
    assert [n["is_read"] for n in await notifications(client, bob)] == [False, False, False]

    resp = await client.post(f"/api/chat/messages/{first['id']}/read/", headers=bob.headers)
    assert resp.status in (200, 204), await resp.text()
    state = {n["message"]["id"]: n["is_read"] for n in await notifications(client, bob)}
    assert state == {first["id"]: True, elsewhere["id"]: False, later["id"]: False}

    ws = await client.ws_connect(f"/ws/user/?token={bob.token}")
    await next_frame(ws, "connection_established")
    await ws.send_json({"type": "read", "message_id": later["id"]})
    await next_frame(ws, "read")
    state = {n["message"]["id"]: n["is_read"] for n in await notifications(client, bob)}
    assert state == {first["id"]: True, elsewhere["id"]: False, later["id"]: True}
    await ws.close()


async def test_an_edit_rewrites_the_text_its_notifications_quote(client, alice, bob):
    room = await make_room(client, alice, name="standup")
    resp = await client.post(f"/api/chat/rooms/{room['id']}/join/", headers=bob.headers)
    assert resp.status == 200, await resp.text()
    ws_bob = await connect(client, bob, room)  # online: @here reaches bob
    sent = await post_message(client, alice, room, "@here standup at 10")
    await next_frame(ws_bob, "notification")
    resp = await client.patch(
        f"/api/chat/messages/{sent['id']}/",
        json={"content": "@here standup at 11"},
        headers=alice.headers,
    )
    assert resp.status == 200, await resp.text()
    [notification] = await notifications(client, bob)
    assert notification["content"] == "@here standup at 11"
    assert notification["message"]["content"] == "@here standup at 11"
    await ws_bob.close()
