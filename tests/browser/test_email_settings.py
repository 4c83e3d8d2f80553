"""The profile's email settings (address and how often, in English and 中文), and the
page telling the server its language, which emails and pushes then speak."""

from __future__ import annotations

import time

import pytest

from tests.serverproc import free_port

from .conftest import Server, register

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A server with an SMTP server configured (nothing listens there: nobody here
    misses anything long enough to be emailed)."""
    process = Server(tmp_path_factory.mktemp("email") / "data")
    process.env.update(
        CHAT_SMTP_HOST="127.0.0.1",
        CHAT_SMTP_PORT=str(free_port()),
        CHAT_SMTP_SECURITY="none",
        CHAT_SMTP_FROM="teahouse@example.test",
    )
    process.start()
    yield process
    process.stop()


def saved(server, account) -> dict:
    status, found = server.api("GET", "/api/chat/email/settings/", token=account.token)
    assert status == 200, found
    return found


def test_the_profile_saves_an_address_and_a_mode(server, open_page):
    register(server, "admin")
    mei = register(server, "mei", "Mei")
    page = open_page(mei)
    page.click(".me-box .profile-button")
    section = page.locator("dialog[open] fieldset.email-settings")
    section.wait_for()
    section.locator("legend", has_text="Email about what I missed").wait_for()
    page.fill("#email-address", "mei@example.test")
    page.select_option("#email-mode", "direct")
    page.click("#email-save")
    section.locator("[role=status]", has_text="Saved.").wait_for()
    assert saved(server, mei)["email_address"] == "mei@example.test"
    assert saved(server, mei)["email_mode"] == "direct"
    assert not page.errors


def test_the_page_tells_the_server_its_language_and_the_settings_speak_it(server, open_page):
    lin = register(server, "lin", "Lin")
    page = open_page(lin)
    page.select_option("#language-select", "zh")
    deadline = time.monotonic() + 5
    while saved(server, lin)["language"] != "zh" and time.monotonic() < deadline:
        time.sleep(0.1)
    assert saved(server, lin)["language"] == "zh"
    page.click(".me-box .profile-button")
    section = page.locator("dialog[open] fieldset.email-settings")
    section.locator("legend", has_text="用邮件告诉我错过的消息").wait_for()
    assert section.locator("#email-mode option").all_inner_texts() == [
        "把错过的消息合成一封邮件",
        "私信立即发送，其余合并发送",
        "从不",
    ]
    assert not page.errors
