"""Email for what people missed, against a real SMTP server (tests/smtpserver.py): one
email batching what is still unread after the delay, never while a tab is open, in the
recipient's language, with a working unsubscribe (link and RFC 8058 one-click POST)."""

from __future__ import annotations

import asyncio
import time
from urllib.parse import urlsplit

import pytest

from chat.app import create_app
from chat.settings import Settings
from tests.helpers import NO_RATE_LIMITS, assert_error, connect, make_room, post_message, register
from tests.smtpserver import MailServer
from tests.test_push import shared_room

DELAY = 0.8
QUIET = DELAY + 0.8  # long enough for an email that should not come


@pytest.fixture
async def mail(tmp_path):
    server = await MailServer(tmp_path).start()
    yield server
    await server.stop()


def mail_settings(tmp_path, mail, **extra) -> Settings:
    values = dict(
        data_dir=tmp_path / "data",
        heartbeat_seconds=5.0,
        smtp_host="127.0.0.1",
        smtp_port=mail.port,
        smtp_security="none",
        smtp_from="teahouse@example.test",
        smtp_timeout_seconds=2.0,
        email_delay_seconds=DELAY,
        email_check_seconds=0.1,
        email_retry_seconds=0.2,
        public_url="https://chat.example.test",
        secret="s" * 32,
        **NO_RATE_LIMITS,
    )
    values.update(extra)
    return Settings(**values)


@pytest.fixture
def settings(tmp_path, mail):
    return mail_settings(tmp_path, mail)


async def wants_email(client, person, mode="batched", **extra) -> dict:
    resp = await client.patch(
        "/api/chat/email/settings/",
        json={"email_address": f"{person.username}@example.test", "email_mode": mode, **extra},
        headers=person.headers,
    )
    assert resp.status == 200, await resp.text()
    return await resp.json()


async def direct_room(client, sender, username) -> dict:
    resp = await client.post(
        "/api/chat/direct/", json={"username": username}, headers=sender.headers
    )
    assert resp.status in (200, 201), await resp.text()
    return await resp.json()


async def no_email(mail, seen: int = 0, wait: float = QUIET) -> None:
    await asyncio.sleep(wait)
    assert len(mail.received) == seen, [m["Subject"] for m in mail.received]


def text_of(message) -> str:
    return message.get_content()


async def test_what_was_missed_arrives_in_one_email_after_the_delay(client, mail, alice, bob):
    await wants_email(client, alice)
    room = await shared_room(client, bob, alice)
    started = time.monotonic()
    first = await post_message(client, bob, room, "@alice the kettle is on")
    second = await post_message(client, bob, room, "@alice and the biscuits")
    direct = await direct_room(client, bob, "alice")
    await post_message(client, bob, direct, "lunch at one?")
    message = await mail.next_email()
    assert time.monotonic() - started >= DELAY - 0.05
    assert message["To"] == "alice@example.test"
    assert message["From"] == "teahouse@example.test"
    assert message["Subject"] == "3 notifications you missed on Teahouse"
    body = text_of(message)
    for text in ("the kettle is on", "and the biscuits", "lunch at one?", "bob mentioned you"):
        assert text in body
    assert f"https://chat.example.test/#{room['id']}/{first['id']}" in body
    assert f"https://chat.example.test/#{room['id']}/{second['id']}" in body
    assert f"https://chat.example.test/#{direct['id']}" in body
    await no_email(mail, seen=1)  # one email, and none to the sender


async def test_a_notification_read_in_time_is_never_emailed(client, mail, alice, bob):
    await wants_email(client, alice)
    room = await shared_room(client, bob, alice)
    await post_message(client, bob, room, "@alice read me in a tab")
    resp = await client.post("/api/chat/notifications/read-all/", headers=alice.headers)
    assert resp.status == 200, await resp.text()
    await no_email(mail)
    await post_message(client, bob, room, "@alice this one you missed")
    body = text_of(await mail.next_email())
    assert "this one you missed" in body and "read me in a tab" not in body


async def test_no_email_while_a_tab_is_open_and_the_delay_counts_from_its_close(
    client, mail, alice, bob
):
    await wants_email(client, alice)
    room = await shared_room(client, bob, alice)
    ws = await connect(client, alice, await make_room(client, alice, name="elsewhere"))
    await post_message(client, bob, room, "@alice while you look elsewhere")
    await no_email(mail)
    await ws.close()
    closed = time.monotonic()
    message = await mail.next_email()
    assert time.monotonic() - closed >= DELAY - 0.05
    assert "while you look elsewhere" in text_of(message)


async def test_the_email_speaks_the_recipients_language(client, mail, alice, bob):
    await wants_email(client, alice, language="zh")
    room = await shared_room(client, bob, alice)
    await post_message(client, bob, room, "@alice 茶好了")
    message = await mail.next_email()
    assert message["Subject"] == "你在 Teahouse 有 1 条未读通知"
    body = text_of(message)
    assert "bob 提到了你: @alice 茶好了" in body and "不再接收这些邮件" in body


async def test_never_sends_nothing_and_direct_sends_direct_messages_at_once(
    aiohttp_client, tmp_path, mail
):
    client = await aiohttp_client(create_app(mail_settings(tmp_path, mail, email_delay_seconds=30)))
    await register(client, "admin")
    alice, bob, carol = [await register(client, name) for name in ("alice", "bob", "carol")]
    await wants_email(client, alice, mode="direct")
    await wants_email(client, carol, mode="never")
    room = await shared_room(client, bob, alice, carol)
    await post_message(client, bob, room, "@alice @carol a mention waits for the delay")
    await post_message(client, bob, await direct_room(client, bob, "carol"), "carol: never")
    await post_message(client, bob, await direct_room(client, bob, "alice"), "alice: at once")
    message = await mail.next_email(timeout=3)
    assert message["To"] == "alice@example.test"
    body = text_of(message)
    assert "alice: at once" in body  # and the mention before it comes along
    assert "a mention waits for the delay" in body
    await no_email(mail, seen=1)


async def test_unsubscribe_by_link_and_by_one_click_post(client, mail, alice, bob):
    await wants_email(client, alice)
    room = await shared_room(client, bob, alice)
    await post_message(client, bob, room, "@alice hello")
    message = await mail.next_email()
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = str(message["List-Unsubscribe"]).strip().strip("<>")
    assert url in text_of(message)
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == (
        "https",
        "chat.example.test",
        "/email/unsubscribe",
    )
    local = f"{parts.path}?{parts.query}"
    page = await client.get(local)  # a link scanner's GET changes nothing
    assert page.status == 200 and 'method="post"' in await page.text()
    assert (await (await client.get("/api/chat/email/settings/", headers=alice.headers)).json())[
        "email_mode"
    ] == "batched"
    forged = local[:-3] + ("AAA" if not local.endswith("AAA") else "BBB")
    await assert_error(
        await client.post(forged, data="List-Unsubscribe=One-Click"), 403, "identity"
    )
    resp = await client.post(local, data="List-Unsubscribe=One-Click")  # RFC 8058, no sign-in
    assert resp.status == 200, await resp.text()
    settings = await (await client.get("/api/chat/email/settings/", headers=alice.headers)).json()
    assert settings["email_mode"] == "never"
    await post_message(client, bob, room, "@alice still there?")
    await no_email(mail, seen=1)


async def test_bad_settings_are_refused_in_the_channels_shape(client, alice):
    for body in (
        {"email_address": "not an address"},
        {"email_address": "a@b.c\r\nBcc: x@y.z"},
        {"email_mode": "hourly"},
        {"language": "fr"},
        {"language": ""},
        {"language": 0},
        {"email_address": 7},
    ):
        resp = await client.patch("/api/chat/email/settings/", json=body, headers=alice.headers)
        await assert_error(resp, 400, "channels")
    resp = await client.get("/api/chat/email/settings/")
    await assert_error(resp, 401, "channels")
    found = await (await client.get("/api/chat/email/settings/", headers=alice.headers)).json()
    assert found == {
        "email_address": None,
        "email_mode": "never",
        "language": None,
        "email_available": True,
    }


async def test_turning_email_back_on_never_mails_what_was_missed_meanwhile(
    client, mail, alice, bob
):
    await wants_email(client, alice, mode="never")
    room = await shared_room(client, bob, alice)
    await post_message(client, bob, room, "@alice while email was off")
    await asyncio.sleep(DELAY)
    await wants_email(client, alice, mode="batched")
    await post_message(client, bob, room, "@alice after it came back")
    body = text_of(await mail.next_email())
    assert "after it came back" in body and "while email was off" not in body
