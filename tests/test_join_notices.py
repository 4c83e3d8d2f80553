"""Join and leave notices that stay linear (issue 27): one per person in rooms up to
CHAT_JOIN_NOTICE_THRESHOLD members, above it what the room's join_notices setting says
(coalesced: at most one a CHAT_JOIN_NOTICE_INTERVAL), in every dialect and language."""

import asyncio
import time

import pytest

from chat.core.people import tokens
from chat.models import User
from chat.settings import Settings, SettingsError, load_settings
from tests.helpers import NO_RATE_LIMITS, Person, assert_error, make_room, next_frame

INTERVAL = 1.5
ZH = "zh-CN,zh"


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(
        data_dir=tmp_path / "data",
        heartbeat_seconds=5.0,
        join_notice_threshold=3,
        join_notice_interval=INTERVAL,
        **NO_RATE_LIMITS,
    )


def newcomer(core, user_id: int, name: str) -> Person:
    """Someone with an external token: the real provisioning path makes them."""
    token = tokens.issue(core.secret, User(user_id, name, "", None, False), "access", 600)
    return Person(user_id, name, token, "", False)


def room_path(dialect: str, room: dict, action: str) -> str:
    if dialect == "v1":
        return f"/api/v1/chatroom/rooms/{room['id']}/{action}"
    if dialect == "simple":
        return f"/api/chat/rooms/{room['slug']}/{action}"
    return f"/api/chat/rooms/{room['id']}/{action}/"  # channels, and the native client


async def act(client, dialect, person, room, action="join"):
    resp = await client.post(room_path(dialect, room, action), headers=person.headers)
    assert resp.status in (200, 201), await resp.text()


async def stored_lines(client, dialect, reader, room, language) -> list[str]:
    """The room's system lines as the dialect's history shows them to reader."""
    headers = {**reader.headers, "Accept-Language": ZH if language == "zh" else "en"}
    if dialect == "v1":
        resp = await client.get(f"/api/v1/chatroom/rooms/{room['id']}", headers=headers)
        return [m["content"] for m in (await resp.json())["latest_messages"] if m["is_system"]]
    if dialect == "simple":
        resp = await client.get(
            f"/api/chat/messages?room_id={room['slug']}&limit=100", headers=headers
        )
        return [m["content"] for m in await resp.json() if m["message_type"] == "system"]
    resp = await client.get(
        f"/api/chat/rooms/{room['id']}/messages/?page_size=100", headers=headers
    )
    return [m["content"] for m in (await resp.json())["messages"] if m["message_type"] == "system"]


class LiveLines:
    """The native dialect: system lines as the web client's user socket receives them."""

    def __init__(self, ws, room_id):
        self.ws, self.room_id, self.lines = ws, room_id, []

    async def until(self, count: int, timeout: float) -> list[str]:
        deadline = time.monotonic() + timeout
        while len(self.lines) < count:
            frame = await next_frame(
                self.ws, "chat_message", max(0.05, deadline - time.monotonic())
            )
            if frame["room_id"] == self.room_id and frame["message"]["message_type"] == "system":
                self.lines.append(frame["message"]["content"])
        return self.lines


async def lines_of(client, dialect, reader, room, live, language, count, timeout=INTERVAL + 5):
    """The first `count` system lines in language (waiting for a coalesced one)."""
    if dialect == "native":
        return (await live[language].until(count, timeout))[:count]
    deadline = time.monotonic() + timeout
    while len(found := await stored_lines(client, dialect, reader, room, language)) < count:
        assert time.monotonic() < deadline, found
        await asyncio.sleep(0.1)
    return found


async def patch_mode(client, person, room, mode):
    return await client.patch(
        f"/api/chat/rooms/{room['id']}/", json={"join_notices": mode}, headers=person.headers
    )


async def set_mode(client, person, room, mode):
    resp = await patch_mode(client, person, room, mode)
    assert resp.status == 200 and (await resp.json())["join_notices"] == mode


EXPECTED = {
    "en": [
        "amy joined the room",
        "ben joined the room",
        "cat joined the room",
        "dan, eve and 1 more joined the room; amy left the room",
        "gus joined the room",
    ],
    "zh": [
        "amy 加入了聊天室",
        "ben 加入了聊天室",
        "cat 加入了聊天室",
        "dan、eve 等 3 人加入了聊天室；amy 离开了聊天室",
        "gus 加入了聊天室",
    ],
}


@pytest.mark.parametrize("dialect", ["v1", "channels", "simple", "native"])
async def test_notices_follow_the_threshold_and_each_room_setting_in_both_languages(
    client, core, alice, dialect
):
    room = await make_room(client, alice, name="tea", max_members=None)
    assert room["join_notices"] == "coalesced"
    live = {}
    if dialect == "native":
        for language in ("en", "zh"):
            ws = await client.ws_connect(f"/ws/user/?token={alice.token}&lang={language}")
            await next_frame(ws, "connection_established")
            live[language] = LiveLines(ws, room["id"])
    people = {
        name: newcomer(core, 3000 + i, name)
        for i, name in enumerate(["amy", "ben", "cat", "dan", "eve", "fay", "gus", "hal"])
    }
    for name in ("amy", "ben", "cat"):  # 1, 2, 3 members before: one line each
        await act(client, dialect, people[name], room)
    for name in ("dan", "eve", "fay"):  # above the threshold: coalesced
        await act(client, dialect, people[name], room)
    await act(client, dialect, people["amy"], room, "leave")
    for language in ("en", "zh"):
        assert (
            await lines_of(client, dialect, alice, room, live, language, 4)
            == EXPECTED[language][:4]
        )
    await set_mode(client, alice, room, "always")
    await act(client, dialect, people["gus"], room)
    for language in ("en", "zh"):
        assert (
            await lines_of(client, dialect, alice, room, live, language, 5, 5) == EXPECTED[language]
        )
    await set_mode(client, alice, room, "never")
    await act(client, dialect, people["hal"], room)
    await act(client, dialect, people["ben"], room, "leave")
    await asyncio.sleep(INTERVAL * 2 + 0.5)
    for language in ("en", "zh"):
        if dialect == "native":
            with pytest.raises(asyncio.TimeoutError):
                await live[language].until(6, 0.3)
        else:
            assert await stored_lines(client, dialect, alice, room, language) == EXPECTED[language]
    for ws in live.values():
        await ws.ws.close()


async def test_only_room_admins_change_the_setting_to_a_known_mode(client, alice, bob):
    room = await make_room(client, alice)
    await act(client, "channels", bob, room)
    await assert_error(await patch_mode(client, bob, room, "never"), 403, "channels")
    for bad in ("sometimes", None, 1):
        await assert_error(await patch_mode(client, alice, room, bad), 400, "channels")
    await set_mode(client, alice, room, "never")


def test_the_threshold_and_the_interval_are_settings():
    default = load_settings(env={})
    assert (default.join_notice_threshold, default.join_notice_interval) == (50, 60.0)
    chosen = load_settings(
        env={"CHAT_JOIN_NOTICE_THRESHOLD": "10", "CHAT_JOIN_NOTICE_INTERVAL": "2.5"}
    )
    assert (chosen.join_notice_threshold, chosen.join_notice_interval) == (10, 2.5)
    for env in (
        {"CHAT_JOIN_NOTICE_THRESHOLD": "-1"},
        {"CHAT_JOIN_NOTICE_THRESHOLD": "many"},
        {"CHAT_JOIN_NOTICE_INTERVAL": "0"},
    ):
        with pytest.raises(SettingsError):
            load_settings(env=env)
