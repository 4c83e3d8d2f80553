"""Issue 24 item 1: a stored file is served only to those who may read a room showing it
(token, login cookie, or a link signed for them), through every dialect that hands out a
file_url; outsiders, ex-members, deactivated users and forged or expired links get nothing."""

from __future__ import annotations

import asyncio
import time
from urllib.parse import parse_qs, urlsplit

import pytest

from chat.app import create_app
from chat.settings import Settings
from tests.helpers import NO_RATE_LIMITS, assert_error, make_room, next_frame, register
from tests.test_avatars import picture
from tests.test_avatars import upload as upload_avatar
from tests.test_session_cookie import sign_in
from tests.test_uploads import bare, png, upload


@pytest.fixture
async def carol(admin, make_user):
    return await make_user("carol")


@pytest.fixture
async def team(client, alice, bob):
    """A private room of alice's that bob joined by invitation."""
    room = await make_room(client, alice, room_type="private")
    resp = await client.post(
        f"/api/chat/rooms/{room['id']}/invite/", json={"username": "bob"}, headers=alice.headers
    )
    assert resp.status == 201, await resp.text()
    resp = await client.post(f"/api/chat/rooms/{room['id']}/join/", headers=bob.headers)
    assert resp.status == 200, await resp.text()
    return room


@pytest.fixture
async def shared(client, alice, team):
    """alice's picture in the private room: the stored message as the uploader got it."""
    resp = await upload(client, alice, "secret.png", png(), "image/png", room=str(team["id"]))
    assert resp.status == 200, await resp.text()
    return await resp.json()


def signed_for(url: str, person) -> str:
    query = parse_qs(urlsplit(url).query)
    assert query["u"] == [str(person.id)] and query["e"] and query["s"], url
    return url


def with_query(url: str, **changes) -> str:
    query = {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}
    query.update(changes)
    return bare(url) + "?" + "&".join(f"{key}={value}" for key, value in query.items())


async def fetched(client, url: str, **headers) -> int:
    resp = await client.get(url, headers=headers)
    if resp.status == 200:
        assert await resp.read() == png()
    return resp.status


async def from_simple(client, person, room, message):
    listed = await (
        await client.get(f"/api/chat/messages?room_id={room['id']}", headers=person.headers)
    ).json()
    return next(m for m in listed if str(m["id"]) == str(message["id"]))["file_url"]


async def from_channels(client, person, room, message):
    page = await (
        await client.get(f"/api/chat/rooms/{room['id']}/messages/", headers=person.headers)
    ).json()
    return next(m for m in page["messages"] if str(m["id"]) == str(message["id"]))["file_url"]


async def from_saved(client, person, room, message):
    resp = await client.post(f"/api/chat/messages/{message['id']}/save/", headers=person.headers)
    assert resp.status in (200, 201), await resp.text()
    saved = await (await client.get("/api/chat/saved/", headers=person.headers)).json()
    return saved[0]["message"]["file_url"]


async def from_search(client, person, room, message):
    for _ in range(50):  # indexed within a second of the commit
        resp = await client.get(
            "/api/chat/search/", params={"q": "secret.png"}, headers=person.headers
        )
        if hits := (await resp.json())["results"]:
            return hits[0]["file_url"]
        await asyncio.sleep(0.1)
    raise AssertionError("the file message was never found")


async def pinned_by_alice(client, person, room, message):
    resp = await client.post(
        f"/api/chat/messages/{message['id']}/pin/", headers=message["uploader"].headers
    )
    assert resp.status in (200, 201), await resp.text()
    pins = await (
        await client.get(f"/api/chat/rooms/{room['id']}/pins/", headers=person.headers)
    ).json()
    return pins[0]["message"]["file_url"]


# v1's REST messages carry no file (seed 000's shape); its socket does, tested below.
@pytest.mark.parametrize(
    "read", [from_simple, from_channels, pinned_by_alice, from_saved, from_search]
)
async def test_every_rest_dialect_hands_a_member_a_link_signed_for_them(
    client, alice, bob, team, shared, read
):
    url = signed_for(await read(client, bob, team, {**shared, "uploader": alice}), bob)
    assert await fetched(client, url) == 200
    assert await fetched(client, bare(url)) == 401


async def socket_frames(client, person, room):
    """Each socket dialect, open in the room: (socket, how its message frame reads)."""
    v1 = await client.ws_connect(f"/api/v1/chatroom/ws/{room['id']}/{person.token}")
    channels = await client.ws_connect(f"/ws/chat/{room['id']}/?token={person.token}")
    await next_frame(channels, "connection_established")
    user = await client.ws_connect(f"/ws/user/?token={person.token}")
    await next_frame(user, "connection_established")
    return [
        (v1, "message", lambda f: f),
        (channels, "chat_message", lambda f: f["message"]),
        (user, "chat_message", lambda f: f["message"]),
    ]


async def test_every_socket_dialect_hands_each_recipient_their_own_link(
    client, alice, bob, carol, team
):
    sockets = await socket_frames(client, bob, team)
    resp = await upload(client, alice, "secret.png", png(), "image/png", room=str(team["id"]))
    assert resp.status == 200
    for ws, kind, message in sockets:
        frame = await next_frame(ws, kind)
        while not message(frame).get("file_url"):
            frame = await next_frame(ws, kind)
        url = signed_for(message(frame)["file_url"], bob)
        assert await fetched(client, url) == 200
        # what bob was handed does not become carol's by changing the name in it
        assert await fetched(client, with_query(url, u=carol.id)) == 403
        await ws.close()


async def test_a_member_fetches_with_a_header_a_query_token_or_the_page_cookie(client, bob, shared):
    path = bare(shared["file_url"])
    assert await fetched(client, path, Authorization=f"Bearer {bob.token}") == 200
    assert await fetched(client, f"{path}?token={bob.token}") == 200
    assert await fetched(client, path) == 401
    await sign_in(client, "bob")  # the jar keeps the page's cookie from now on
    assert await fetched(client, path) == 200


async def test_outsiders_get_the_answer_of_a_file_that_does_not_exist(client, carol, shared):
    path = bare(shared["file_url"])
    missing = "/uploads/chat/" + "0" * 32 + ".png"
    for url in (path, missing):
        resp = await client.get(url, headers=carol.headers)
        assert (resp.status, await resp.text()) == (404, '{"detail":"Not found"}')
    assert await fetched(client, f"{path}?token={carol.token}") == 404
    assert await fetched(client, path) == 401
    assert await fetched(client, missing) == 401  # no credential: nothing is looked up


async def test_forged_tampered_and_expired_links_are_refused(client, core, alice, bob, shared):
    url = signed_for(shared["file_url"], alice)
    name = bare(url).rsplit("/", 1)[1]
    signature = parse_qs(urlsplit(url).query)["s"][0]
    refused = [
        with_query(url, u=bob.id),  # someone else's link
        with_query(url, s=signature[:-2] + ("AA" if signature[-2:] != "AA" else "BB")),
        with_query(url, e=int(parse_qs(urlsplit(url).query)["e"][0]) + 3600),  # stretched
        with_query(url, s=""),
        with_query(url, u="x"),
        with_query(url, e="１２"),
        core.file_links.sign(name, alice.id, now=time.time() - core.settings.file_link_ttl * 2),
    ]
    other = await upload(client, alice, "other.png", png(), "image/png")
    other_name = bare((await other.json())["file_url"]).rsplit("/", 1)[1]
    refused.append(with_query(url).replace(name, other_name))  # another file's signature
    for forged in refused:
        assert await fetched(client, forged) == 403, forged
    assert await fetched(client, url) == 200


async def test_a_member_who_leaves_or_is_banned_fetches_nothing_more(
    client, alice, bob, carol, team, shared
):
    link = await from_channels(client, bob, team, shared)
    assert await fetched(client, link) == 200
    resp = await client.post(f"/api/chat/rooms/{team['id']}/leave/", headers=bob.headers)
    assert resp.status == 200, await resp.text()
    assert await fetched(client, link) == 404
    assert await fetched(client, bare(link), Authorization=f"Bearer {bob.token}") == 404
    # carol is invited in, handed a link, then banned
    await client.post(
        f"/api/chat/rooms/{team['id']}/invite/", json={"username": "carol"}, headers=alice.headers
    )
    await client.post(f"/api/chat/rooms/{team['id']}/join/", headers=carol.headers)
    link = await from_simple(client, carol, team, shared)
    assert await fetched(client, link) == 200
    resp = await client.patch(
        f"/api/chat/rooms/{team['id']}/members/{carol.id}/",
        json={"is_banned": True},
        headers=alice.headers,
    )
    assert resp.status == 200, await resp.text()
    assert await fetched(client, link) == 404


async def test_a_deactivated_user_fetches_nothing_more(client, admin, bob, team, shared):
    link = await from_simple(client, bob, team, shared)
    assert await fetched(client, link) == 200
    resp = await client.patch(
        f"/api/chat/admin/users/{bob.id}/", json={"is_active": False}, headers=admin.headers
    )
    assert resp.status == 200
    assert await fetched(client, link) == 404
    assert await fetched(client, bare(link), Authorization=f"Bearer {bob.token}") == 401


async def test_a_direct_conversation_s_files_are_the_two_people_s(client, alice, bob, carol):
    direct = await (
        await client.post("/api/chat/direct/", json={"username": "bob"}, headers=alice.headers)
    ).json()
    resp = await upload(client, alice, "secret.png", png(), "image/png", room=str(direct["id"]))
    path = bare((await resp.json())["file_url"])
    assert await fetched(client, path, Authorization=f"Bearer {bob.token}") == 200
    assert await fetched(client, path, Authorization=f"Bearer {carol.token}") == 404


async def test_public_room_files_need_a_sign_in_unless_the_site_makes_them_public(
    aiohttp_client, tmp_path
):
    for public in (False, True):
        settings = Settings(
            data_dir=tmp_path / str(public), public_room_files_public=public, **NO_RATE_LIMITS
        )
        client = await aiohttp_client(create_app(settings))
        alice, carol = await register(client, "alice"), await register(client, "carol")
        lobby = await upload(client, alice, "lobby.png", png(), "image/png")
        lobby_path = bare((await lobby.json())["file_url"])
        room = await make_room(client, alice, room_type="private")
        hidden = await upload(client, alice, "hidden.png", png(), "image/png", room=str(room["id"]))
        hidden_path = bare((await hidden.json())["file_url"])
        # anyone signed in reads a public room, joined or not
        assert await fetched(client, lobby_path, Authorization=f"Bearer {carol.token}") == 200
        assert await fetched(client, lobby_path) == (200 if public else 401)
        assert await fetched(client, hidden_path) == 401
        assert await fetched(client, hidden_path, Authorization=f"Bearer {carol.token}") == 404


async def test_linking_a_file_one_cannot_read_does_not_open_it(client, carol, shared):
    own = await make_room(client, carol, name="mine", room_type="private")
    resp = await client.post(
        f"/api/chat/rooms/{own['id']}/messages/",
        headers=carol.headers,
        json={"content": "mine now", "message_type": "image", "file_url": bare(shared["file_url"])},
    )
    await assert_error(resp, 404, "channels")
    resp = await client.patch(
        "/api/auth/me", json={"avatar_url": bare(shared["file_url"])}, headers=carol.headers
    )
    await assert_error(resp, 400, "identity")
    assert (
        await fetched(client, bare(shared["file_url"]), Authorization=f"Bearer {carol.token}")
        == 404
    )


async def test_avatars_stay_public_and_are_not_signed(client, alice):
    resp = await upload_avatar(client, alice, "me.png", picture("PNG"), "image/png")
    avatar = (await resp.json())["avatar_url"]
    assert "?" not in avatar
    assert (await client.get(avatar)).status == 200
    assert (await client.get(avatar)).headers["Cache-Control"] == "private, max-age=86400"


async def test_private_files_are_revalidated_rather_than_cached(client, bob, shared):
    resp = await client.get(
        bare(shared["file_url"]), headers={"Authorization": f"Bearer {bob.token}"}
    )
    assert resp.headers["Cache-Control"] == "private, no-cache"
