"""An honest backlog goes through: 40 messages written offline are resent on reconnect
at the server's pace (its Retry-After), in order, none left "Not sent". The server
here keeps the message rate limit on (4 a second, a burst of 8)."""

from __future__ import annotations

import pytest

from .conftest import MESSAGE_POSTS, Server, drop_message_posts, register
from .test_web_client import go_to, open_room

pytestmark = pytest.mark.browser
BACKLOG = 40


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    process = Server(tmp_path_factory.mktemp("paced") / "data")
    process.env["CHAT_RATE_MESSAGES"] = "4:8"
    process.start()
    yield process
    process.stop()


def test_an_offline_backlog_is_resent_at_the_servers_pace(server, open_page):
    ada = register(server, "ada", "Ada")
    room = open_room(server, ada, "train")
    page = open_page(ada)
    go_to(page, server, room)
    drop_message_posts(page)
    for n in range(BACKLOG):
        page.fill("#composer-input", f"note {n}")
        page.press("#composer-input", "Enter")
    page.locator(".msg.failed", has_text=f"note {BACKLOG - 1}").wait_for()
    page.unroute(MESSAGE_POSTS)
    page.context.set_offline(True)
    page.context.set_offline(False)  # the browser's "online" event
    # 32 beyond the burst at 4 a second: about 8 s of waiting turns, well within this.
    page.wait_for_function(
        f"() => !localStorage.getItem('teahouse.outbox.' + {ada.id})", timeout=40_000
    )
    status, history = server.api(
        "GET", f"/api/chat/rooms/{room['id']}/messages/?page_size=100", token=ada.token
    )
    assert status == 200
    notes = [m["content"] for m in history["messages"] if m["content"].startswith("note ")]
    assert notes == [f"note {n}" for n in range(BACKLOG)]
    assert page.locator(".msg.failed").count() == 0
