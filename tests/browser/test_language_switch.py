"""Switching the language live shows what a reload in that language shows: every label,
badge, panel and notification title, and system lines that arrive after the switch
(issue 24 item 14)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from .conftest import register
from .test_web_client import go_to, open_room

pytestmark = pytest.mark.browser

# Every text a reader meets: own text of visible elements, their labels, tooltips and
# placeholders, and the tab's title. Toasts come and go, so they are left out.
SHOWN_TEXTS = """() => {
  const out = ["title:" + document.title];
  for (const el of document.querySelectorAll("body *")) {
    if (!el.checkVisibility() || el.closest("#toast")) continue;
    for (const node of el.childNodes) {
      const text = node.nodeType === Node.TEXT_NODE && node.textContent.trim();
      if (text) out.push(text);
    }
    for (const attr of ["aria-label", "title", "placeholder"]) {
      if (el.getAttribute(attr)) out.push(`${attr}:${el.getAttribute(attr)}`);
    }
  }
  return out;
}"""

PANELS = [
    "#notifications-button",
    "#saved-button",
    "#scheduled-button",
    "#pinned-bar",
    "#threads-link",
]


def every_view(page) -> dict[str, list[str]]:
    """The texts of the room with its members, then with each side panel open."""
    views = {"room": sorted(page.evaluate(SHOWN_TEXTS))}
    for opener in PANELS:
        page.click(opener)
        page.locator(".panel:not([hidden]) .panel-close").wait_for()
        page.wait_for_timeout(200)
        views[opener] = sorted(page.evaluate(SHOWN_TEXTS))
        page.keyboard.press("Escape")
    return views


def test_a_live_switch_shows_what_a_reload_in_that_language_shows(server, open_page):
    alice = register(server, "alice", "Alice")
    bob = register(server, "bob", "Bob")
    dave = register(server, "dave", "Dave")
    room = open_room(server, alice, "tea", bob)
    until = (datetime.now(UTC) + timedelta(hours=3)).isoformat()
    server.api(
        "PUT",
        "/api/chat/status/",
        {"emoji": "📅", "text": "offsite", "dnd": True, "expires_at": until},
        bob.token,
    )
    status, posted = server.api(
        "POST", f"/api/chat/rooms/{room['id']}/messages/", {"content": "tea @alice"}, bob.token
    )
    assert status == 201, posted
    for path in ("pin", "save", "read"):  # read: no "new messages" line in either view
        assert server.api("POST", f"/api/chat/messages/{posted['id']}/{path}/", {}, alice.token)[
            0
        ] in (200, 201)

    page = open_page(alice)
    go_to(page, server, room)
    heard = []  # what the page's socket receives from now on
    page.on("websocket", lambda ws: ws.on("framereceived", lambda frame: heard.append(frame)))
    page.reload()
    page.locator("#message-list .msg .content", has_text="tea").wait_for()
    page.click("#members-button")
    page.locator("#member-list .member", has_text="Bob").wait_for()

    page.click("#saved-button")  # a panel open while the language changes
    page.select_option("#language-select", "zh")
    page.locator("#saved-panel h2", has_text="收藏的消息").wait_for()
    for _ in range(100):  # the server has the switch before dave comes
        if any('"language_ok"' in str(frame) for frame in heard):
            break
        page.wait_for_timeout(50)
    else:
        raise AssertionError(f"the socket was not told: {heard}")
    server.api("POST", f"/api/chat/rooms/{room['id']}/join/", {}, dave.token)
    page.locator("#message-list .msg.system", has_text="Dave 加入了聊天室").wait_for()
    server.api("POST", f"/api/chat/rooms/{room['id']}/leave/", {}, dave.token)
    page.locator("#message-list .msg.system", has_text="Dave 离开了聊天室").wait_for()
    page.wait_for_timeout(500)
    open_during_switch = sorted(page.evaluate(SHOWN_TEXTS))
    page.keyboard.press("Escape")
    live = every_view(page)

    page.reload()
    page.locator("#message-list .msg.system", has_text="Dave 加入了聊天室").wait_for()
    page.click("#members-button")
    page.locator("#member-list .member", has_text="Bob").wait_for()
    page.wait_for_timeout(500)
    reloaded = every_view(page)
    live["saved panel open during the switch"] = open_during_switch
    reloaded["saved panel open during the switch"] = reloaded["#saved-button"]
    for view, texts in reloaded.items():
        stale = sorted(set(live[view]) - set(texts))
        missing = sorted(set(texts) - set(live[view]))
        assert not stale and not missing, (
            f"{view}: live only {stale}; after a reload only {missing}"
        )
