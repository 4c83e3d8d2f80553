"""A profile change travels: who shares a room with the user hears `user_updated` on the
user-level socket (display name and picture), so names already on screen follow."""

from __future__ import annotations

from tests.helpers import make_room, next_frame, no_frame
from tests.test_avatars import picture, upload


async def user_socket(client, person):
    ws = await client.ws_connect(f"/ws/user/?token={person.token}")
    await next_frame(ws, "connection_established")
    return ws


async def test_a_new_display_name_and_picture_reach_everyone_sharing_a_room(client, alice, bob):
    room = await make_room(client, bob, name="tearoom")
    resp = await client.post(f"/api/chat/rooms/{room['id']}/join/", headers=alice.headers)
    assert resp.status in (200, 201), await resp.text()
    watcher, own = await user_socket(client, alice), await user_socket(client, bob)

    resp = await client.patch(
        "/api/auth/me", json={"display_name": "Robert B."}, headers=bob.headers
    )
    assert resp.status == 200, await resp.text()
    for ws in (watcher, own):
        frame = await next_frame(ws, "user_updated")
        assert frame["user"]["id"] == bob.id and frame["user"]["display_name"] == "Robert B."
        assert "room_id" not in frame

    resp = await upload(client, bob, "me.png", picture("PNG"), "image/png")
    assert resp.status == 200, await resp.text()
    frame = await next_frame(watcher, "user_updated")
    assert frame["user"]["avatar_url"] == (await resp.json())["avatar_url"]

    # The same name again changes nothing, and tells no one.
    await client.patch("/api/auth/me", json={"display_name": "Robert B."}, headers=bob.headers)
    await no_frame(watcher, "user_updated")


async def test_a_stranger_does_not_hear_of_it(client, alice, bob):
    rooms = await (await client.get("/api/chat/rooms/", headers=alice.headers)).json()
    assert not [r for r in rooms if r["is_member"]]
    stranger = await user_socket(client, alice)
    await client.patch(
        "/api/auth/me", json={"display_name": "Nobody Alice Knows"}, headers=bob.headers
    )
    await no_frame(stranger, "user_updated")
