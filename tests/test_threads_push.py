"""A reply in a followed thread reaches a follower who is away by Web Push, as any
message notification does; read in the thread during the grace period, it is not
pushed (issue 28)."""

from __future__ import annotations

from tests.helpers import post_message
from tests.test_push import guard, no_push, service, shared_room, subscribe  # noqa: F401 (fixtures)
from tests.test_push_rules import GRACE, start, tab_closed_just_now
from tests.threadkit import reply


async def replied_while_away(aiohttp_client, tmp_path, service):
    """Alice starts a thread (so follows it), closes her tab, and bob replies in it."""
    client, alice, bob = await start(aiohttp_client, tmp_path, service, push_grace_seconds=GRACE)
    await subscribe(client, alice, service.browser("a"))
    room = await shared_room(client, bob, alice)
    root = await post_message(client, alice, room, "who takes the release?")
    await tab_closed_just_now(client, alice, room)
    await reply(client, bob, root["id"], "I can")
    return client, alice, root


async def test_a_reply_in_a_followed_thread_is_pushed_to_an_away_follower(
    aiohttp_client,
    tmp_path,
    service,  # noqa: F811
):
    await replied_while_away(aiohttp_client, tmp_path, service)
    await service.next_delivery(timeout=GRACE + 5)


async def test_a_thread_read_during_the_grace_period_is_not_pushed(
    aiohttp_client,
    tmp_path,
    service,  # noqa: F811
):
    client, alice, root = await replied_while_away(aiohttp_client, tmp_path, service)
    resp = await client.post(f"/api/chat/threads/{root['id']}/read/", headers=alice.headers)
    assert resp.status == 200, await resp.text()
    await no_push(service, GRACE + 0.5)
