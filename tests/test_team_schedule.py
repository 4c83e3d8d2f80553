"""Team features: status and do-not-disturb, send later, reminders, the scheduler."""

import asyncio
import dataclasses
from datetime import UTC, datetime, timedelta, timezone

from chat.app import create_app
from chat.core.conversation import messages, schedule
from chat.core.site import scheduler
from chat.db import users as user_sql
from tests.helpers import (
    assert_error,
    connect,
    make_room,
    next_frame,
    no_frame,
    post_message,
    register,
)
from tests.pgcluster import both_engines


def soon(seconds: float) -> str:
    return (datetime.now(UTC) + timedelta(seconds=seconds)).isoformat()


async def join(client, person, room):
    resp = await client.post(f"/api/chat/rooms/{room['id']}/join/", headers=person.headers)
    assert resp.status == 200, await resp.text()


async def bob_schedules_in_alices_room(client, alice, bob, content: str, delay: float):
    """A room of alice's that bob joined, and bob's message scheduled there `delay` s ahead."""
    room = await make_room(client, alice)
    await join(client, bob, room)
    resp = await client.post(
        f"/api/chat/rooms/{room['id']}/scheduled/",
        headers=bob.headers,
        json={"content": content, "send_at": soon(delay)},
    )
    assert resp.status == 201, await resp.text()
    return room, await resp.json()


async def test_a_status_is_seen_by_room_mates_live_and_ends_at_its_expiry(
    client, alice, bob, make_user
):
    carol = await make_user("carol")  # shares no room with alice
    room = await make_room(client, alice, room_type="private")
    await client.post(
        f"/api/chat/rooms/{room['id']}/invite/", json={"username": "bob"}, headers=alice.headers
    )
    await join(client, bob, room)
    ws_bob = await connect(client, bob, room)
    resp = await client.put(
        "/api/chat/status/",
        headers=alice.headers,
        json={"emoji": "📅", "text": "In a meeting", "dnd": True, "expires_at": soon(1.5)},
    )
    assert resp.status == 200, await resp.text()
    frame = await next_frame(ws_bob, "status")
    assert frame["user"]["username"] == "alice"
    assert (frame["status"]["emoji"], frame["status"]["text"], frame["status"]["dnd"]) == (
        "📅",
        "In a meeting",
        True,
    )
    seen = await (await client.get("/api/chat/statuses/", headers=bob.headers)).json()
    assert [s["text"] for s in seen if s["user_id"] == alice.id] == ["In a meeting"]
    assert await (await client.get("/api/chat/statuses/", headers=carol.headers)).json() == []
    frame = await next_frame(ws_bob, "status", timeout=6)  # the scheduler clears it
    assert (frame["status"]["text"], frame["status"]["dnd"]) == ("", False)
    assert await (await client.get("/api/chat/statuses/", headers=bob.headers)).json() == []
    await ws_bob.close()


async def test_status_input_is_checked(client, alice):
    for body in (
        {"text": "x" * 101},
        {"emoji": "a b"},
        {"dnd": "yes"},
        {"text": "busy", "expires_at": "tomorrow"},
        {"text": "busy", "expires_at": "2020-01-01T00:00:00Z"},
        {"text": "busy", "expires_at": "2099-01-01T00:00:00"},
    ):
        await assert_error(
            await client.put("/api/chat/status/", json=body, headers=alice.headers), 400, "channels"
        )
    resp = await client.put("/api/chat/status/", json={"text": "lunch"}, headers=alice.headers)
    assert (await resp.json())["text"] == "lunch"
    resp = await client.delete("/api/chat/status/", headers=alice.headers)
    assert (await resp.json())["text"] == ""
    assert (await (await client.get("/api/chat/status/", headers=alice.headers)).json())[
        "text"
    ] == ""


@both_engines
async def test_a_scheduled_message_is_sent_at_its_time_through_the_normal_path(client, alice, bob):
    room = await make_room(client, alice)
    await join(client, bob, room)
    ws = await connect(client, bob, room)
    resp = await client.post(
        f"/api/chat/rooms/{room['id']}/scheduled/",
        headers=alice.headers,
        json={"content": "good morning team", "send_at": soon(1.0)},
    )
    assert resp.status == 201, await resp.text()
    scheduled = await resp.json()
    assert scheduled["state"] == "pending"
    listed = await (await client.get("/api/chat/scheduled/", headers=alice.headers)).json()
    assert [s["id"] for s in listed] == [scheduled["id"]]
    await no_frame(ws, "chat_message", wait=0.5)
    frame = await next_frame(ws, "chat_message", timeout=6)
    assert (frame["message"]["content"], frame["message"]["sender"]["id"]) == (
        "good morning team",
        alice.id,
    )
    for _ in range(50):  # the outcome is recorded in the commit after the send
        sent = await (
            await client.get("/api/chat/scheduled/?state=sent", headers=alice.headers)
        ).json()
        if sent:
            break
        await asyncio.sleep(0.05)
    assert [s["message_id"] for s in sent] == [frame["message"]["id"]]
    await ws.close()


async def test_a_cancelled_scheduled_message_is_never_sent(client, alice):
    room = await make_room(client, alice)
    ws = await connect(client, alice, room)
    resp = await client.post(
        f"/api/chat/rooms/{room['id']}/scheduled/",
        headers=alice.headers,
        json={"content": "never", "send_at": soon(0.8)},
    )
    item = await resp.json()
    assert (await next_frame(ws, "scheduled_message"))["scheduled"]["state"] == "pending"
    resp = await client.delete(f"/api/chat/scheduled/{item['id']}/", headers=alice.headers)
    assert (await resp.json())["state"] == "cancelled"
    await no_frame(ws, "chat_message", wait=1.5)
    await assert_error(
        await client.delete(f"/api/chat/scheduled/{item['id']}/", headers=alice.headers),
        400,
        "channels",
    )
    await ws.close()


async def test_only_the_author_sees_and_cancels_a_scheduled_message(client, alice, bob):
    room = await make_room(client, alice)
    resp = await client.post(
        f"/api/chat/rooms/{room['id']}/scheduled/",
        headers=alice.headers,
        json={"content": "mine", "send_at": soon(3600)},
    )
    item = await resp.json()
    assert await (await client.get("/api/chat/scheduled/", headers=bob.headers)).json() == []
    await assert_error(
        await client.delete(f"/api/chat/scheduled/{item['id']}/", headers=bob.headers),
        404,
        "channels",
    )


async def test_scheduling_checks_membership_time_and_content_now(client, alice, bob):
    room = await make_room(client, alice, room_type="private")
    url = f"/api/chat/rooms/{room['id']}/scheduled/"
    await assert_error(
        await client.post(url, json={"content": "hi", "send_at": soon(60)}, headers=bob.headers),
        403,
        "channels",
    )
    for body in (
        {"content": "", "send_at": soon(60)},
        {"content": "hi", "send_at": soon(-60)},
        {"content": "hi", "send_at": soon(400 * 86400)},
        {"content": "hi"},
    ):
        await assert_error(
            await client.post(url, json=body, headers=alice.headers), 400, "channels"
        )


async def test_a_scheduled_send_that_is_no_longer_allowed_fails_with_a_notification(
    client, alice, bob
):
    room, item = await bob_schedules_in_alices_room(client, alice, bob, "later", 1.0)
    await client.patch(
        f"/api/chat/rooms/{room['id']}/members/{bob.id}/",
        json={"is_muted": True},
        headers=alice.headers,
    )
    ws = await connect(client, bob, room)
    frame = await next_frame(ws, "scheduled_message", timeout=6)
    assert (frame["scheduled"]["id"], frame["scheduled"]["state"]) == (item["id"], "failed")
    assert frame["scheduled"]["error"]
    notification = (await next_frame(ws, "notification"))["notification"]
    assert notification["notification_type"] == "system" and "later" in notification["content"]
    history = await (
        await client.get(f"/api/chat/rooms/{room['id']}/messages/", headers=alice.headers)
    ).json()
    assert "later" not in [m["content"] for m in history["messages"]]
    await ws.close()


async def test_a_reminder_becomes_a_notification_at_its_time(client, alice, bob):
    room = await make_room(client, alice)
    await join(client, bob, room)
    message = await post_message(client, alice, room, "review the release notes")
    ws = await connect(client, bob, room)
    resp = await client.post(
        f"/api/chat/messages/{message['id']}/reminders/",
        headers=bob.headers,
        json={"remind_at": soon(1.0)},
    )
    assert resp.status == 201, await resp.text()
    listed = await (await client.get("/api/chat/reminders/", headers=bob.headers)).json()
    assert [r["message"]["id"] for r in listed] == [message["id"]]
    notification = (await next_frame(ws, "notification", timeout=6))["notification"]
    assert notification["message"]["id"] == message["id"]
    assert "alice" in notification["title"]
    assert await (await client.get("/api/chat/reminders/", headers=bob.headers)).json() == []
    await ws.close()


async def test_reminders_are_private_cancellable_and_need_read_access(client, alice, bob):
    room = await make_room(client, alice, room_type="private")
    message = await post_message(client, alice, room, "secret")
    url = f"/api/chat/messages/{message['id']}/reminders/"
    await assert_error(
        await client.post(url, json={"remind_at": soon(60)}, headers=bob.headers), 404, "channels"
    )
    resp = await client.post(url, json={"remind_at": soon(60)}, headers=alice.headers)
    reminder = await resp.json()
    await assert_error(
        await client.delete(f"/api/chat/reminders/{reminder['id']}/", headers=bob.headers),
        404,
        "channels",
    )
    resp = await client.delete(f"/api/chat/reminders/{reminder['id']}/", headers=alice.headers)
    assert (await resp.json())["state"] == "cancelled"


async def test_the_scheduler_sleeps_until_the_next_item_and_wakes_for_new_ones(client, core, alice):
    assert await scheduler.seconds_to_next(core) == scheduler.MAX_SLEEP
    room = await make_room(client, alice)
    await client.post(
        f"/api/chat/rooms/{room['id']}/scheduled/",
        headers=alice.headers,
        json={"content": "in an hour", "send_at": soon(3600)},
    )
    assert 3590 < await scheduler.seconds_to_next(core) <= 3600
    ws = await connect(client, alice, room)
    await client.post(
        f"/api/chat/rooms/{room['id']}/scheduled/",
        headers=alice.headers,
        json={"content": "soon", "send_at": soon(0.5)},
    )
    frame = await next_frame(ws, "chat_message", timeout=5)  # not after an hour's sleep
    assert frame["message"]["content"] == "soon"
    await ws.close()


async def test_a_scheduled_message_fails_once_its_author_left_the_room(client, alice, bob):
    room, item = await bob_schedules_in_alices_room(client, alice, bob, "after I left", 0.8)
    await client.post(f"/api/chat/rooms/{room['id']}/leave/", headers=bob.headers)
    ws = await connect(client, alice, room)
    await no_frame(ws, "chat_message", wait=2.0)
    failed = await (
        await client.get("/api/chat/scheduled/?state=failed", headers=bob.headers)
    ).json()
    assert [s["id"] for s in failed] == [item["id"]]
    members = await (
        await client.get(f"/api/chat/rooms/{room['id']}/members/", headers=alice.headers)
    ).json()
    assert bob.id not in [m["user"]["id"] for m in members]
    await ws.close()


@both_engines
async def test_a_send_that_committed_before_a_crash_is_not_sent_twice(client, core, alice):
    """The send committed, the bookkeeping did not (a crash in between): the next run
    finds the stored message by its client_id and only records the outcome."""
    room = await make_room(client, alice)
    resp = await client.post(
        f"/api/chat/rooms/{room['id']}/scheduled/",
        headers=alice.headers,
        json={"content": "exactly once", "send_at": soon(3600)},
    )
    item = await resp.json()
    user = await user_sql.user_by_id(core.db.reader, alice.id)
    sent = await messages.send(
        core, user, room["id"], "exactly once", client_id=f"scheduled:{item['id']}"
    )
    due = (await schedule.scheduled_messages(core, user))[0]
    await schedule.send_one(core, due)
    history = await (
        await client.get(f"/api/chat/rooms/{room['id']}/messages/", headers=alice.headers)
    ).json()
    assert [m["content"] for m in history["messages"]].count("exactly once") == 1
    done = await (await client.get("/api/chat/scheduled/?state=sent", headers=alice.headers)).json()
    assert [(d["id"], d["message_id"]) for d in done] == [(item["id"], sent.message.id)]


async def test_a_scheduled_send_over_the_rate_limit_waits_and_is_not_lost(aiohttp_client, settings):
    client = await aiohttp_client(
        create_app(dataclasses.replace(settings, rate_messages=(0.01, 1)))
    )
    alice = await register(client, "alice")
    room = await make_room(client, alice)
    send_at = soon(0.8)
    for content in ("first", "second"):
        await client.post(
            f"/api/chat/rooms/{room['id']}/scheduled/",
            headers=alice.headers,
            json={"content": content, "send_at": send_at},
        )
    ws = await connect(client, alice, room)
    assert (await next_frame(ws, "chat_message", timeout=5))["message"]["content"] in (
        "first",
        "second",
    )
    await no_frame(ws, "chat_message", wait=0.5)
    pending = await (await client.get("/api/chat/scheduled/", headers=alice.headers)).json()
    assert len(pending) == 1 and pending[0]["send_at"] > send_at.replace("+00:00", "Z")
    await ws.close()


async def test_the_scheduler_stops_when_cancelled_as_its_alarm_rings(core):
    """A shutdown cancels the scheduler; a new item stored at that moment rings its
    alarm. Python 3.11's wait_for returned the alarm instead of the cancel, the loop
    went on, and the server's cleanup waited for it for ever (seen on CI)."""
    for turns in range(4):  # the alarm rings 0-3 loop turns before the cancel
        task = asyncio.create_task(scheduler.run(core))
        await asyncio.sleep(0.05)  # asleep until the next item
        core.alarm.set()
        for _ in range(turns):
            await asyncio.sleep(0)
        task.cancel()
        done, _ = await asyncio.wait({task}, timeout=2)
        assert done, f"still running after a cancel, the alarm {turns} turns before"
        assert task.cancelled()
