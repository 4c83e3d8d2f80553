"""Threads reach every channel (issue 28): webhooks honour Slack's thread_ts, bots reply
in threads, search hits name their thread, replies are pinned, saved and edited like
any message."""

from __future__ import annotations

import pytest

from chat.settings import Settings
from tests.helpers import LOOPBACK_ALLOWED, NO_RATE_LIMITS, make_room, next_frame, post_message
from tests.test_bots import answering, make_bot  # noqa: F401 (answering is a fixture)
from tests.test_hooks import assert_slack, make_hook
from tests.threadkit import join, reply, thread


@pytest.fixture
def settings(tmp_path) -> Settings:
    """The bot in these tests answers on loopback, which the outbound door allows only
    when told to."""
    return Settings(
        data_dir=tmp_path / "data", heartbeat_seconds=5.0, **NO_RATE_LIMITS, **LOOPBACK_ALLOWED
    )


async def test_a_webhooks_thread_ts_posts_in_the_thread(client, alice):
    room = await make_room(client, alice)
    hook = await make_hook(client, alice, room)
    root = await post_message(client, alice, room, "deploy v3?")
    for payload in (
        {"text": "build 41 green", "thread_ts": str(root["id"])},
        {"text": "deployed", "thread_ts": root["id"], "reply_broadcast": True},
    ):
        await assert_slack(await client.post(hook["path"], json=payload), 200, "ok")
    page = await thread(client, alice, root["id"])
    assert [(m["content"], m["thread_only"]) for m in page["results"]] == [
        ("build 41 green", True),
        ("deployed", False),
    ]
    other = await make_room(client, alice, name="elsewhere")
    stranger = await post_message(client, alice, other, "not this room")
    for bad in ("1700000300.000200", True, str(stranger["id"])):
        resp = await client.post(hook["path"], json={"text": "x", "thread_ts": bad})
        await assert_slack(resp, 400, "invalid_payload")


async def test_a_bot_replies_in_a_thread_by_key_and_when_addressed_in_one(
    client,
    admin,
    alice,
    answering,  # noqa: F811
):
    bot = await make_bot(client, admin, outgoing_url=str(answering.make_url("/json")))
    room = await make_room(client, alice)
    root = await post_message(client, alice, room, "status?")
    resp = await client.post(
        f"/rooms/{room['id']}/{bot['key']}/messages?thread={root['id']}",
        data="all systems go",
        headers={"Content-Type": "text/plain"},
    )
    assert resp.status == 201, await resp.text()
    said = await resp.json()
    assert (said["thread_id"], said["thread_only"]) == (root["id"], True)
    ws = await client.ws_connect(f"/ws/user/?token={alice.token}")
    await next_frame(ws, "connection_established")
    asked = await reply(client, alice, root["id"], "@deploy and the queue?")
    while (frame := await next_frame(ws, "chat_message"))["message"]["id"] == asked["id"]:
        pass
    answer = frame["message"]
    assert answer["content"] == "pong alice" and answer["thread_id"] == root["id"]
    assert answer["thread_only"] is True
    assert answering.calls[0]["message"]["thread_id"] == root["id"]
    await ws.close()


async def test_a_search_hit_in_a_reply_names_its_thread(client, alice):
    room = await make_room(client, alice)
    root = await post_message(client, alice, room, "root words")
    sent = await reply(client, alice, root["id"], "the zanzibar incident")
    resp = await client.get("/api/chat/search/", params={"q": "zanzibar"}, headers=alice.headers)
    [hit] = (await resp.json())["results"]
    assert (hit["id"], hit["thread_id"]) == (sent["id"], root["id"])


async def test_replies_are_pinned_saved_and_edited_like_any_message(client, alice, bob):
    room = await make_room(client, alice)
    await join(client, bob, room)
    root = await post_message(client, alice, room, "root")
    sent = await reply(client, bob, root["id"], "pin me")
    assert (await client.post(f"/api/chat/messages/{sent['id']}/pin/", headers=alice.headers)).ok
    pins = await (
        await client.get(f"/api/chat/rooms/{room['id']}/pins/", headers=bob.headers)
    ).json()
    pinned = pins[0]["message"] if isinstance(pins, list) else pins["results"][0]["message"]
    assert pinned["thread_id"] == root["id"]
    assert (await client.post(f"/api/chat/messages/{sent['id']}/save/", headers=alice.headers)).ok
    saved = await (await client.get("/api/chat/saved/", headers=alice.headers)).json()
    listed = saved if isinstance(saved, list) else saved["results"]
    assert listed[0]["message"]["thread_id"] == root["id"]
    resp = await client.patch(
        f"/api/chat/messages/{sent['id']}/", json={"content": "pinned"}, headers=bob.headers
    )
    assert (await resp.json())["thread_id"] == root["id"]
    page = await thread(client, alice, root["id"])
    assert page["results"][0]["content"] == "pinned" and page["results"][0]["is_edited"]
