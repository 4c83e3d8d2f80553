"""A server process killed in the middle of an SMTP conversation: after the restart the
email is sent once (the dead process's claim lapses), with nothing lost and nothing
doubled."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest

from tests.serverproc import ServerProcess, register_at
from tests.test_email import mail, no_email, text_of  # noqa: F401 (the mail fixture)

pytestmark = pytest.mark.slow


async def test_a_crash_during_the_smtp_conversation_sends_the_email_once_later(tmp_path, mail):
    mail.stalling = True
    server = ServerProcess(
        tmp_path / "data",
        CHAT_SMTP_HOST="127.0.0.1",
        CHAT_SMTP_PORT=str(mail.port),
        CHAT_SMTP_SECURITY="none",
        CHAT_SMTP_FROM="teahouse@example.test",
        CHAT_SMTP_TIMEOUT="0.5",  # a claim lapses after 5 s
        CHAT_EMAIL_DELAY_SECONDS="0.3",
        CHAT_EMAIL_CHECK_SECONDS="0.1",
        CHAT_EMAIL_RETRY_SECONDS="0.1",
    )
    await asyncio.to_thread(server.start)  # the loop keeps serving SMTP meanwhile
    try:
        async with aiohttp.ClientSession() as session:
            base = server.base
            await register_at(session, base, "admin")
            alice = await register_at(session, base, "alice")
            bob = await register_at(session, base, "bob")
            headers = {"Authorization": f"Bearer {bob['access_token']}"}
            alice_headers = {"Authorization": f"Bearer {alice['access_token']}"}
            async with session.patch(
                f"{base}/api/chat/email/settings/",
                json={"email_address": "alice@example.test"},
                headers=alice_headers,
            ) as resp:
                assert resp.status == 200, await resp.text()
            await session.post(f"{base}/api/chat/rooms/global/join/", headers=alice_headers)
            await session.post(f"{base}/api/chat/rooms/global/join/", headers=headers)
            async with session.post(
                f"{base}/api/chat/rooms/global/messages/",
                json={"content": "@alice before the crash"},
                headers=headers,
            ) as resp:
                assert resp.status == 201, await resp.text()
        await asyncio.wait_for(mail.data_started.wait(), 10)
        server.kill()  # in the middle of DATA: the claim stays in the database
        mail.stalling = False
        await asyncio.to_thread(server.start)
        message = await mail.next_email(timeout=20)
        assert "before the crash" in text_of(message)
        await no_email(mail, seen=1, wait=1.5)
    finally:
        server.kill()
