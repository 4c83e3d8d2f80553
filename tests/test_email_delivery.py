"""Email delivery: an SMTP server that is down changes nothing for people sending
messages and is retried; a restart sends nothing twice and forgets nothing; two
processes on one database send one email; STARTTLS with AUTH and implicit TLS against
a real server with a self-signed certificate; the /metrics counters; the settings."""

from __future__ import annotations

import asyncio
import time

import pytest

from chat.app import create_app
from chat.settings import SettingsError, load_settings
from tests.helpers import post_message, register
from tests.smtpserver import MailServer
from tests.test_email import (  # noqa: F401 (the mail fixture)
    DELAY,
    mail,
    mail_settings,
    no_email,
    shared_room,
    text_of,
    wants_email,
)


async def start(aiohttp_client, settings):
    client = await aiohttp_client(create_app(settings))
    await register(client, "admin")
    return client, await register(client, "alice"), await register(client, "bob")


async def test_an_smtp_server_that_is_down_slows_no_message_and_is_retried(
    aiohttp_client, tmp_path, mail, caplog
):
    settings = mail_settings(tmp_path, mail, email_delay_seconds=0.2, metrics=True)
    client, alice, bob = await start(aiohttp_client, settings)
    await wants_email(client, alice)
    room = await shared_room(client, bob, alice)
    mail.refusing = True
    await post_message(client, bob, room, "@alice first")
    await asyncio.sleep(1.0)  # a few refused attempts
    started = time.monotonic()
    for n in range(5):
        await post_message(client, bob, room, f"@alice still sending {n}")
    assert time.monotonic() - started < 1.0
    assert mail.received == []
    failures = [r for r in caplog.records if "SMTP server" in r.getMessage()]
    assert len(failures) == 1  # logged once, not once per attempt
    mail.refusing = False
    await mail.next_email(timeout=5)
    await asyncio.sleep(1.0)  # an attempt built before the last posts sends them next
    bodies = [text_of(message) for message in mail.received]
    for text in ["@alice first"] + [f"still sending {n}" for n in range(5)]:
        assert sum(text in body for body in bodies) == 1, (text, bodies)
    metrics = await (await client.get("/metrics")).text()
    assert f"teahouse_emails_sent_total {len(bodies)}.0" in metrics
    failed = [
        line for line in metrics.splitlines() if line.startswith("teahouse_emails_failed_total")
    ]
    assert float(failed[0].split()[1]) >= 1


async def test_an_smtp_server_that_cannot_be_reached_is_retried(aiohttp_client, tmp_path, mail):
    port = mail.port
    await mail.stop()  # nothing listens on the port
    settings = mail_settings(tmp_path, mail, email_delay_seconds=0.2)
    client, alice, bob = await start(aiohttp_client, settings)
    await wants_email(client, alice)
    room = await shared_room(client, bob, alice)
    await post_message(client, bob, room, "@alice are you there")
    await asyncio.sleep(0.8)
    mail.port = port
    await mail.start()
    assert "are you there" in text_of(await mail.next_email(timeout=5))


async def test_a_restart_sends_nothing_twice_and_forgets_nothing(aiohttp_client, tmp_path, mail):
    settings = mail_settings(tmp_path, mail)
    client, alice, bob = await start(aiohttp_client, settings)
    await wants_email(client, alice)
    room = await shared_room(client, bob, alice)
    await post_message(client, bob, room, "@alice before the restart")
    assert "before the restart" in text_of(await mail.next_email())
    await post_message(client, bob, room, "@alice just before the stop")
    await client.close()  # stopped before this one's delay is over

    client = await aiohttp_client(create_app(settings))
    body = text_of(await mail.next_email(seen=1))
    assert "just before the stop" in body and "before the restart" not in body
    await no_email(mail, seen=2)


async def test_a_restart_while_the_smtp_server_refuses_sends_it_once_later(
    aiohttp_client, tmp_path, mail
):
    settings = mail_settings(tmp_path, mail, email_delay_seconds=0.2)
    client, alice, bob = await start(aiohttp_client, settings)
    await wants_email(client, alice)
    room = await shared_room(client, bob, alice)
    mail.refusing = True
    await post_message(client, bob, room, "@alice while mail is down")
    await asyncio.sleep(0.8)
    await client.close()
    mail.refusing = False
    client = await aiohttp_client(create_app(settings))
    assert "while mail is down" in text_of(await mail.next_email(timeout=5))
    await no_email(mail, seen=1)


async def test_two_processes_on_one_database_send_one_email(aiohttp_client, tmp_path, mail):
    settings = mail_settings(tmp_path, mail, email_check_seconds=0.05)
    client, alice, bob = await start(aiohttp_client, settings)
    await aiohttp_client(create_app(settings))  # a second process on the same data
    await wants_email(client, alice)
    room = await shared_room(client, bob, alice)
    for n in range(3):
        await post_message(client, bob, room, f"@alice number {n}")
        await asyncio.sleep(DELAY + 0.4)
    await asyncio.sleep(0.5)
    bodies = [text_of(message) for message in mail.received]
    for n in range(3):
        assert sum(f"number {n}" in body for body in bodies) == 1, bodies


@pytest.mark.parametrize("tls, port_setting", [("starttls", "starttls"), ("tls", "tls")])
async def test_tls_and_login_against_a_real_server(aiohttp_client, tmp_path, tls, port_setting):
    server = await MailServer(tmp_path, tls=tls, login=("teahouse", "s3cret")).start()
    try:
        settings = mail_settings(
            tmp_path,
            server,
            smtp_security=port_setting,
            smtp_ca_file=str(server.cert),
            smtp_user="teahouse",
            smtp_password="s3cret",
        )
        client, alice, bob = await start(aiohttp_client, settings)
        await wants_email(client, alice)
        room = await shared_room(client, bob, alice)
        await post_message(client, bob, room, "@alice over TLS")
        assert "over TLS" in text_of(await server.next_email())
        assert server.envelopes == [("teahouse@example.test", ["alice@example.test"])]
    finally:
        await server.stop()


async def test_a_server_certificate_that_is_not_trusted_sends_nothing(aiohttp_client, tmp_path):
    server = await MailServer(tmp_path, tls="starttls").start()
    try:
        settings = mail_settings(tmp_path, server, smtp_security="starttls")  # no CA file
        client, alice, bob = await start(aiohttp_client, settings)
        await wants_email(client, alice)
        room = await shared_room(client, bob, alice)
        await post_message(client, bob, room, "@alice untrusted")
        await no_email(server)
    finally:
        await server.stop()


def test_email_settings_from_the_environment(tmp_path):
    env = {
        "CHAT_DATA_DIR": str(tmp_path),
        "CHAT_SMTP_HOST": "smtp.office365.com",
        "CHAT_SMTP_PORT": "587",
        "CHAT_SMTP_SECURITY": "STARTTLS",
        "CHAT_SMTP_USER": "chat@example.com",
        "CHAT_SMTP_PASSWORD": "pw",
        "CHAT_SMTP_FROM": "Teahouse <chat@example.com>",
        "CHAT_EMAIL_DELAY_SECONDS": "300",
    }
    settings = load_settings({}, env)
    assert (settings.smtp_host, settings.smtp_security, settings.email_delay_seconds) == (
        "smtp.office365.com",
        "starttls",
        300.0,
    )
    assert load_settings({}, {}).smtp_host == ""  # off by default
    for broken in (
        {"CHAT_SMTP_HOST": "mail"},  # no from-address
        {**env, "CHAT_SMTP_SECURITY": "ssl3"},
        {**env, "CHAT_SMTP_PASSWORD": ""},
        {**env, "CHAT_EMAIL_DELAY_SECONDS": "-1"},
    ):
        with pytest.raises(SettingsError):
            load_settings({}, broken)
