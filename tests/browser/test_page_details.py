"""Details of the page a second newcomer tour found (issue 24, items 4-6 and 10-13): the
account box, a history that failed to load, notifications that follow reading and
edits, Slack's own markup, profiles that change live, direct-room titles, and pinned
and saved messages shown as the timeline shows them."""

from __future__ import annotations

import json
import urllib.request

import pytest

from .conftest import register, screenshot
from .test_web_client import bubble, go_to, open_room, png

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def ada(server):
    """The module's first account: the site admin."""
    return register(server, "ada", "Ada Lovelace")


NAME_FITS = """() => {
  const name = document.getElementById("me-name"), handle = document.getElementById("me-handle");
  return {name: name.getBoundingClientRect().width, clipped: name.scrollWidth > name.clientWidth,
          handle: handle.getBoundingClientRect().width};
}"""


@pytest.mark.parametrize("width,height", [(1280, 800), (390, 844)])
def test_the_account_box_shows_a_site_admins_name(server, open_page, ada, width, height):
    page = open_page(ada, width=width, height=height)
    if width < 700:
        page.click("#open-sidebar")
        page.wait_for_timeout(300)
    box = page.evaluate(NAME_FITS)
    screenshot(page, f"account-box-{width}")
    assert box["name"] >= 80 and not box["clipped"], box
    assert box["handle"] >= 80, box


def test_a_history_that_failed_to_load_says_so_and_retries(server, open_page, ada):
    first = open_room(server, ada, "trainline")
    second = open_room(server, ada, "platform")
    server.api(
        "POST", f"/api/chat/rooms/{first['id']}/messages/", {"content": "mind the gap"}, ada.token
    )
    page = open_page(ada)
    go_to(page, server, first)
    go_to(page, server, second)
    page.context.set_offline(True)
    page.click(f"#room-list a[data-room-id='{first['id']}']")
    failed = page.locator("#message-list .load-failed")
    failed.wait_for()
    assert "could not be loaded" in failed.inner_text() and "trainline" in failed.inner_text()
    assert page.locator("#message-list", has_text="This is the beginning").count() == 0
    screenshot(page, "history-failed")
    page.context.set_offline(False)
    failed.get_by_role("button", name="Retry").click()
    page.locator("#message-list .msg .content", has_text="mind the gap").wait_for()
    assert page.locator("#message-list .load-failed").count() == 0
    assert (
        page.locator(
            "#message-list .beginning", has_text="This is the beginning of trainline"
        ).count()
        == 1
    )


def test_a_new_direct_conversation_is_titled_by_display_name(server, open_page, ada):
    register(server, "zoe", "Zoë Zhang")
    page = open_page(ada)
    page.click("#new-direct-button")
    page.fill("dialog[open] input[name=username]", "zoe")
    page.click("dialog[open] button[type=submit]")
    page.locator("#direct-list .room-name", has_text="Zoë Zhang").wait_for()
    page.locator("#message-list .beginning").wait_for()
    assert page.locator("#room-title").inner_text() == "Zoë Zhang"
    assert "Zoë Zhang" in page.locator("#composer-input").get_attribute("placeholder")
    assert (
        page.locator("#message-list .beginning").inner_text()
        == "This is the beginning of Zoë Zhang."
    )


MARKDOWN = "**release** is _today_, see [the notes](https://example.com/notes) and `v2.1`"


def test_pinned_and_saved_messages_are_formatted_as_in_the_timeline(server, open_page, ada):
    room = open_room(server, ada, "pinboard")
    status, sent = server.api(
        "POST", f"/api/chat/rooms/{room['id']}/messages/", {"content": MARKDOWN}, ada.token
    )
    assert status == 201, sent
    assert server.api("POST", f"/api/chat/messages/{sent['id']}/pin/", {}, ada.token)[0] in (
        200,
        201,
    )
    assert server.api("POST", f"/api/chat/messages/{sent['id']}/save/", {}, ada.token)[0] in (
        200,
        201,
    )
    page = open_page(ada)
    go_to(page, server, room)
    views = {"bar": "#pinned-bar .pin-latest"}
    page.locator(views["bar"]).wait_for()
    page.click("#pinned-bar")
    views["pins"] = "#pins-panel .snippet"
    page.locator(views["pins"]).wait_for()
    screenshot(page, "pins-panel")
    page.click("#saved-button")
    views["saved"] = "#saved-panel .snippet"
    page.locator(views["saved"]).wait_for()
    screenshot(page, "saved-panel")
    for view, selector in views.items():
        shown = page.locator(selector).first
        assert shown.inner_text().startswith("release is today, see the notes and v2.1"), view
        assert shown.locator("strong").inner_text() == "release", view
        assert shown.locator("em").inner_text() == "today", view
        assert shown.locator("code").inner_text() == "v2.1", view
        assert shown.locator("a").count() == 0, view  # the item itself is the button


def test_a_new_name_and_picture_reach_messages_on_screen_and_the_member_list(
    server, open_page, ada
):
    bob = register(server, "bob", "Bob Builder")
    room = open_room(server, ada, "studio", bob)
    server.api(
        "POST", f"/api/chat/rooms/{room['id']}/messages/", {"content": "hello from bob"}, bob.token
    )
    watcher = open_page(ada)
    go_to(watcher, server, room)
    watcher.click("#members-button")
    watcher.locator("#member-list .member-name", has_text="Bob Builder").wait_for()
    page = open_page(bob)
    go_to(page, server, room)

    page.click(".profile-button")
    page.fill("dialog[open] input[name=display_name]", "Robert Builder")
    page.set_input_files(
        "dialog[open] input[name=avatar]",
        files=[{"name": "me.png", "mimeType": "image/png", "buffer": png()}],
    )
    page.click("dialog[open] button[type=submit]")
    for view in (page, watcher):
        message = bubble(view, "hello from bob")
        message.locator(".author", has_text="Robert Builder").wait_for()
        message.locator(".avatar img.avatar-img").wait_for()
    member = watcher.locator("#member-list .member", has_text="Robert Builder")
    member.locator(".avatar img.avatar-img").wait_for()
    screenshot(watcher, "renamed-live")


def test_mentions_read_in_the_room_are_read_and_edits_reach_the_notification(
    server, open_page, ada
):
    cleo = register(server, "cleo", "Cleo")
    room = open_room(server, ada, "lobby", cleo)
    page = open_page(cleo)
    go_to(page, server, room)
    status, sent = server.api(
        "POST",
        f"/api/chat/rooms/{room['id']}/messages/",
        {"content": "@cleo are you there"},
        ada.token,
    )
    assert status == 201, sent
    page.locator("#message-list .msg .content", has_text="are you there").wait_for()
    page.wait_for_function("() => document.getElementById('notifications-badge').hidden")
    status, here = server.api(
        "POST", f"/api/chat/rooms/{room['id']}/messages/", {"content": "@here tea at 3"}, ada.token
    )
    page.locator("#message-list .msg .content", has_text="tea at 3").wait_for()
    status, _ = server.api(
        "PATCH", f"/api/chat/messages/{here['id']}/", {"content": "@here tea at 4"}, ada.token
    )
    assert status == 200
    page.locator("#message-list .msg .content", has_text="tea at 4").wait_for()
    page.click("#notifications-button")
    texts = page.locator("#notifications-list .notification-text")
    texts.filter(has_text="tea at 4").wait_for()
    assert texts.filter(has_text="tea at 3").count() == 0
    assert page.locator("#notifications-list .notification.unread").count() == 0
    assert page.locator("#notifications-badge").is_hidden()
    screenshot(page, "notifications-followed")


SLACK = (
    "*deployed* _v2_ and ~v1~ <https://ci.example/42|build 42> "
    "for <@U024BE7LH|ada>, <!here> &lt;3\n"
    "&gt; quoted *line*\n```make release```"
)


def post_hook(server, path: str, body: dict) -> None:
    request = urllib.request.Request(
        server.base + path,
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as resp:
        assert resp.read() == b"ok"


def test_slack_markup_from_a_webhook_is_shown_as_slack_shows_it(server, open_page, ada):
    room = open_room(server, ada, "deploys")
    status, hook = server.api(
        "POST", f"/api/chat/rooms/{room['id']}/hooks/", {"name": "CI"}, ada.token
    )
    assert status == 201, hook
    post_hook(server, hook["path"], {"text": SLACK})
    post_hook(
        server, hook["path"], {"text": "*a " * 3000 + "_b " * 3000 + "<" * 3000 + "~c " * 3000}
    )
    page = open_page(ada)
    go_to(page, server, room)
    shown = page.locator("#message-list .msg .content", has_text="deployed").first
    shown.wait_for()
    screenshot(page, "slack-markup")
    assert shown.locator("strong").first.inner_text() == "deployed"
    assert shown.locator("em").inner_text() == "v2"
    assert shown.locator("del").inner_text() == "v1"
    link = shown.locator("a", has_text="build 42")
    assert link.get_attribute("href") == "https://ci.example/42"
    assert shown.locator(".mention.self", has_text="@ada").count() == 1
    assert shown.locator(".mention.self", has_text="@here").count() == 1
    assert shown.locator("blockquote strong").inner_text() == "line"
    assert shown.locator(".md-codeblock code").inner_text() == "make release"
    text = shown.inner_text()
    assert "<3" in text and "*" not in text and "<https" not in text and "&lt;" not in text
    # Markers without their closers stay as typed, and take no time to find.
    page.locator("#message-list .msg .content", has_text="*a *a").wait_for()
    took = page.evaluate("""async () => {
        const { formatMessage } = await import("/static/js/markdown.js");
        const hostile = "*a ".repeat(3000) + "_b ".repeat(3000)
            + "<".repeat(3000) + "~c ".repeat(3000);
        const start = performance.now();
        formatMessage(hostile, "ada", new Set(), hostile);
        return performance.now() - start;
    }""")
    print("hostile mrkdwn ms", took)
    assert took < 250, took
