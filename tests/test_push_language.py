"""A push speaks its recipient's language (the one they chose in their settings), not
the server's: the title, and "New message" with CHAT_PUSH_PRIVATE."""

from __future__ import annotations

from chat.app import create_app
from tests.helpers import post_message, register
from tests.test_push import guard, push_settings, service, shared_room, subscribe  # noqa: F401


async def chooses(client, person, language) -> None:
    resp = await client.patch(
        "/api/chat/email/settings/", json={"language": language}, headers=person.headers
    )
    assert resp.status == 200, await resp.text()


async def start(aiohttp_client, tmp_path, service, **extra):
    client = await aiohttp_client(create_app(push_settings(tmp_path, service, **extra)))
    await register(client, "admin")
    return client, await register(client, "alice"), await register(client, "bob")


async def test_a_push_title_is_in_the_recipients_language(aiohttp_client, tmp_path, service):
    client, alice, bob = await start(aiohttp_client, tmp_path, service)
    await subscribe(client, alice, service.browser("alice"))
    await subscribe(client, bob, service.browser("bob"))
    await chooses(client, alice, "zh")
    room = await shared_room(client, bob, alice)
    await post_message(client, bob, room, "@alice 茶好了")
    push = await service.next_delivery()
    assert push.payload["title"] == "bob 提到了你 · tea"
    await post_message(client, alice, room, "@bob coming")
    push = await service.next_delivery()
    assert push.payload["title"] == "alice mentioned you · tea"  # bob kept the server's


async def test_a_private_push_says_new_message_in_the_recipients_language(
    aiohttp_client, tmp_path, service
):
    client, alice, bob = await start(aiohttp_client, tmp_path, service, push_private=True)
    await subscribe(client, alice, service.browser("alice"))
    await chooses(client, alice, "zh")
    room = await shared_room(client, bob, alice)
    await post_message(client, bob, room, "@alice secret plans")
    push = await service.next_delivery()
    assert push.payload["body"] == "新消息" and "secret" not in str(push.payload)
