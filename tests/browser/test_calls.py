"""Calls one click away in the page (issue 29): with a meeting server set, the call
button and /call post a message whose Join button opens the new meeting, in rooms and
direct conversations alike."""

from __future__ import annotations

import re

import pytest

from tests.serverproc import ServerProcess

from .conftest import Server, register
from .test_web_client import go_to, open_room

pytestmark = pytest.mark.browser

MEET = "https://meet.example.org/"
LINK = re.compile(r"^https://meet\.example\.org/teahouse-[A-Za-z0-9_-]{22}$")


class CallServer(Server):
    def __init__(self, data_dir):
        ServerProcess.__init__(
            self,
            data_dir,
            data_dir.parent / "server.log",
            CHAT_LANGUAGE="en",
            CHAT_ALLOW_REGISTRATION="1",
            CHAT_CALL_URL=MEET,
        )


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    process = CallServer(tmp_path_factory.mktemp("calls") / "data")
    process.start()
    yield process
    process.stop()


def join_links(page) -> list[str]:
    return [link.get_attribute("href") for link in page.locator("#message-list .call-join").all()]


def test_the_call_button_posts_a_meeting_link_with_a_join_button(server, open_page):
    ana = register(server, "ana")
    ben = register(server, "ben")
    room = open_room(server, ana, "standup", ben)
    caller, callee = open_page(ana), open_page(ben)
    go_to(caller, server, room)
    go_to(callee, server, room)
    caller.get_by_role("button", name="Start a call").click()
    callee.locator("#message-list .call-join").first.wait_for()  # live, at the other end
    caller.locator("#message-list .call-join").first.wait_for()
    [link] = join_links(callee)
    assert LINK.match(link) and join_links(caller) == [link]
    join = callee.locator("#message-list .call-join").first
    assert join.inner_text() == "Join the call" and join.get_attribute("target") == "_blank"
    assert join.get_attribute("rel") == "noopener noreferrer"
    caller.fill("#composer-input", "/call")
    caller.press("#composer-input", "Enter")
    callee.locator("#message-list .call-join").nth(1).wait_for()
    second = join_links(callee)[1]
    assert LINK.match(second) and second != link
    assert caller.locator("#message-list .msg", has_text="/call").count() == 0
    assert not caller.errors and not callee.errors


def test_a_direct_conversation_has_the_call_button_in_chinese(server, open_page):
    lei = register(server, "lei")
    register(server, "mei")
    status, direct = server.api("POST", "/api/chat/direct/", {"username": "mei"}, lei.token)
    assert status in (200, 201), direct
    page = open_page(lei, locale="zh-CN")
    page.goto(f"{server.base}/#{direct['slug']}")
    page.locator("#room-title", has_text="mei").wait_for()
    page.get_by_role("button", name="发起通话").click()
    join = page.locator("#message-list .call-join").first
    join.wait_for()
    assert join.inner_text() == "加入通话" and LINK.match(join.get_attribute("href"))


def test_a_link_elsewhere_gets_no_join_button(server, open_page):
    ivy = register(server, "ivy")
    room = open_room(server, ivy, "links")
    status, _ = server.api(
        "POST",
        f"/api/chat/rooms/{room['id']}/messages/",
        {"content": "see https://example.org/meet.example.org/x"},
        ivy.token,
    )
    assert status == 201
    page = open_page(ivy)
    go_to(page, server, room)
    page.locator("#message-list .msg", has_text="see https://example.org").wait_for()
    assert join_links(page) == []
