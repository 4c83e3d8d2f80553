"""Email with several processes on one Redis: whichever process looks first claims the
person in the database, and each notification is emailed once; a tab open in the room
on another process keeps the email back."""

from __future__ import annotations

import asyncio

import pytest

from chat.app import create_app
from chat.keys import mailer_key
from tests.helpers import connect, post_message, register
from tests.test_backplane import settled
from tests.test_email import DELAY, mail, mail_settings, no_email, text_of, wants_email  # noqa: F401
from tests.test_push import shared_room
from tests.test_push_processes import redis_server  # noqa: F401 (a fixture)


@pytest.fixture
async def pair(aiohttp_client, tmp_path, redis_server, mail):
    settings = mail_settings(
        tmp_path,
        mail,
        redis_url=redis_server.url,
        backplane_poll_seconds=0.3,
        presence_ttl=3.0,
        email_check_seconds=0.05,
    )
    return (await aiohttp_client(create_app(settings)), await aiohttp_client(create_app(settings)))


async def people_in_a_room(a, b):
    await register(a, "admin")
    alice, bob = await register(a, "alice"), await register(a, "bob")
    room = await shared_room(a, bob, alice)
    await wants_email(a, alice)
    await settled(a, b)
    return alice, bob, room


async def test_each_notification_is_emailed_once_by_one_of_the_processes(pair, mail):
    a, b = pair
    alice, bob, room = await people_in_a_room(a, b)
    for n, client in enumerate((a, b, a, b)):
        await post_message(client, bob, room, f"@alice number {n}")
        await asyncio.sleep(DELAY + 0.3)
    await asyncio.sleep(0.5)
    bodies = [text_of(message) for message in mail.received]
    for n in range(4):
        assert sum(f"number {n}" in body for body in bodies) == 1, bodies
    sent = a.server.app[mailer_key].sent + b.server.app[mailer_key].sent
    assert sent == len(bodies)


async def test_a_tab_in_the_room_on_another_process_keeps_the_email_back(pair, mail):
    a, b = pair
    alice, bob, room = await people_in_a_room(a, b)
    ws = await connect(b, alice, room)
    await settled(a, b)
    await asyncio.sleep(0.5)  # presence reaches process A
    await post_message(a, bob, room, "@alice seen on the other process")
    await no_email(mail)
    await ws.close()
