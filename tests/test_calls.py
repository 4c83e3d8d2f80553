"""Calls one click away: with CHAT_CALL_URL set, starting a call posts a message with a
new, unguessable meeting link, as the caller, with every check a message gets; without
it, calls are off and say so."""

import re

import pytest

from chat.app import create_app
from chat.core.conversation.calls import meeting_url
from chat.settings import Settings, SettingsError, load_settings
from tests.helpers import (
    NO_RATE_LIMITS,
    assert_error,
    connect,
    make_room,
    next_frame,
    register,
)

BASE = "https://meet.example.org/"
LINK = re.compile(r"https://meet\.example\.org/teahouse-([A-Za-z0-9_-]{22})$")


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(
        data_dir=tmp_path / "data", heartbeat_seconds=5.0, call_url=BASE, **NO_RATE_LIMITS
    )


async def start(client, person, room, **body):
    return await client.post(f"/api/chat/rooms/{room}/call/", json=body, headers=person.headers)


async def test_the_api_says_calls_are_on(client, alice):
    resp = await client.get("/api/chat/calls/", headers=alice.headers)
    assert await resp.json() == {"enabled": True, "base_url": BASE}
    await assert_error(await client.get("/api/chat/calls/"), 401, "channels")


async def test_a_call_posts_a_message_with_a_fresh_meeting_link(client, alice, bob):
    room = await make_room(client, alice, name="standup")
    await client.post(f"/api/chat/rooms/{room['id']}/join/", headers=bob.headers)
    ws = await connect(client, bob, room)
    resp = await start(client, alice, room["id"])
    assert resp.status == 201
    message = await resp.json()
    assert message["sender"]["id"] == alice.id and message["room"]["id"] == room["id"]
    link = message["content"].split()[-1]
    assert LINK.match(link), message["content"]
    assert message["content"].startswith("📞 Started a call")
    frame = await next_frame(ws, "chat_message")
    assert frame["message"]["content"] == message["content"]
    await ws.close()
    second = await (await start(client, alice, room["id"])).json()
    assert second["content"].split()[-1] != link  # every call its own meeting


async def test_a_repeated_client_id_is_one_call(client, alice):
    room = await make_room(client, alice)
    first = await start(client, alice, room["id"], client_id="call-1")
    again = await start(client, alice, room["id"], client_id="call-1")
    assert (first.status, again.status) == (201, 200)
    assert (await first.json())["id"] == (await again.json())["id"]


async def test_direct_conversations_have_calls_too(client, alice, bob):
    direct = await (
        await client.post("/api/chat/direct/", json={"username": "bob"}, headers=alice.headers)
    ).json()
    resp = await start(client, bob, direct["id"])
    assert resp.status == 201 and LINK.search((await resp.json())["content"])


async def test_only_those_who_may_post_start_a_call(client, alice, bob):
    private = await make_room(client, alice, room_type="private", name="secret")
    await assert_error(await start(client, bob, private["id"]), 403, "channels")
    await assert_error(await start(client, bob, "no-such-room"), 404, "channels")
    await assert_error(await client.post(f"/api/chat/rooms/{private['id']}/call/"), 401, "channels")
    resp = await client.post(
        f"/api/chat/rooms/{private['id']}/call/", data="[", headers=alice.headers
    )
    await assert_error(resp, 400, "channels")


async def test_without_a_meeting_server_calls_are_off(aiohttp_client, tmp_path):
    plain = await aiohttp_client(create_app(Settings(data_dir=tmp_path / "off", **NO_RATE_LIMITS)))
    person = await register(plain, "dora")
    resp = await plain.get("/api/chat/calls/", headers=person.headers)
    assert await resp.json() == {"enabled": False, "base_url": None}
    room = await make_room(plain, person)
    text = await assert_error(await start(plain, person, room["id"]), 404, "channels")
    assert "off" in text


def test_a_template_puts_the_meeting_name_in_its_place():
    url = meeting_url("https://bbb.example.com/rooms/{room}/join")
    assert re.fullmatch(r"https://bbb\.example\.com/rooms/teahouse-[\w-]{22}/join", url)
    assert re.fullmatch(r"https://meet\.example\.org/teahouse-[\w-]{22}", meeting_url(BASE))
    assert meeting_url(BASE) != meeting_url(BASE)


@pytest.mark.parametrize(
    "raw", ["meet.example.org", "ftp://x/", "https://", "https://a b/", "https://x/{room}{room}"]
)
def test_a_bad_meeting_server_url_fails_at_start(raw):
    with pytest.raises(SettingsError):
        load_settings(env={"CHAT_CALL_URL": raw})


def test_the_setting_is_read_from_the_environment():
    assert load_settings(env={"CHAT_CALL_URL": BASE}).call_url == BASE
    assert load_settings(env={"CHAT_CALL_URL": ""}).call_url is None
    assert load_settings(env={}).call_url is None
