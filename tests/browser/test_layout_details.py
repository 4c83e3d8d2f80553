"""Small layout points of the second newcomer tour (issue 24 item 15): statuses shown whole
and legible, line icons only, a room settings dialog that reads top to bottom, webhooks
apart from people, the phone's message toolbar, and a page for someone in no room."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from .conftest import PASSWORD, register, screenshot
from .test_web_client import go_to, open_room

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}

# WCAG contrast of an element's text against the first opaque background behind it.
CONTRAST = """(el) => {
  const rgb = (css) => (css.match(/[\\d.]+/g) || []).map(Number);
  const luminance = ([r, g, b]) => [r, g, b].map((v) => v / 255)
    .map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4))
    .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
  let back = el;
  const see_through = (node) => rgb(getComputedStyle(node).backgroundColor)[3] === 0
    || getComputedStyle(node).backgroundColor === "transparent";
  while (back && see_through(back)) back = back.parentElement;
  const a = luminance(rgb(getComputedStyle(el).color));
  const b = luminance(rgb(getComputedStyle(back).backgroundColor));
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}"""


@pytest.fixture(scope="module")
def team(server):
    """A site admin, a room with a webhook, and bob with a do-not-disturb status that ends."""
    admin = register(server, "admin", "Ada Admin")
    bob = register(server, "bob", "Bob")
    room = open_room(server, admin, "release", bob)
    status, hook = server.api(
        "POST", f"/api/chat/rooms/{room['id']}/hooks/", {"name": "CI"}, admin.token
    )
    assert status == 201, hook
    until = (datetime.now(UTC) + timedelta(hours=3)).isoformat()
    status, _ = server.api(
        "PUT",
        "/api/chat/status/",
        {"emoji": "🍜", "text": "Reviewing the release", "dnd": True, "expires_at": until},
        bob.token,
    )
    assert status == 200
    for text in ("first of two", "second of two"):
        assert (
            server.api(
                "POST", f"/api/chat/rooms/{room['id']}/messages/", {"content": text}, bob.token
            )[0]
            == 201
        )
    return admin, bob, room


def members(page):
    page.click("#members-button")
    page.locator("#member-list .member", has_text="Bob").wait_for()
    for _ in range(100):  # the panel slides open: measure it once it is
        if not page.evaluate("document.querySelector('.shell').getAnimations().length"):
            break
        page.wait_for_timeout(20)
    return page.locator("#member-list")


def test_a_status_is_shown_whole_and_its_end_time_in_the_tooltip(server, open_page, team):
    admin, bob, room = team
    page = open_page(admin)
    go_to(page, server, room)
    text = members(page).locator(".member", has_text="Bob").locator(".status-text")
    assert text.inner_text() == "Reviewing the release"
    assert text.evaluate("(el) => el.scrollWidth <= el.clientWidth"), "the status is cut short"
    badge = page.locator("#member-list .member", has_text="Bob").locator(".status-badge")
    assert "until" in badge.get_attribute("title")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_status_texts_are_legible_and_the_sidebar_has_no_red_on_green(
    server, browser, team, scheme
):
    admin, bob, room = team
    with browser.new_context(
        viewport={"width": 1280, "height": 800}, color_scheme=scheme
    ) as context:
        context.set_default_timeout(10_000)
        page = context.new_page()
        page.goto(server.base + "/")
        sign_in(page, "bob")
        go_to(page, server, room)
        own = page.locator("#status-button .status-text")
        assert own.evaluate(CONTRAST) >= 4.5
        assert page.locator("#status-button .status-until").evaluate(CONTRAST) >= 4.5
        assert own.evaluate("(el) => getComputedStyle(el).color") == page.locator(
            "#status-button .status-badge"
        ).evaluate("(el) => getComputedStyle(el).color"), "a coloured status"
        listed = members(page).locator(".member", has_text="Bob").locator(".status-text")
        assert listed.evaluate(CONTRAST) >= 4.5


def test_buttons_in_the_header_composer_and_toolbar_are_line_icons(server, open_page, team):
    admin, bob, room = team
    page = open_page(admin)
    go_to(page, server, room)
    page.locator("#message-list .msg", has_text="first of two").hover()
    buttons = page.locator(
        ".header-actions button, #send-later-button, #message-list .msg .actions button"
    )
    assert buttons.count() > 10
    for button in buttons.all():
        shown = button.evaluate("""(b) => ({ svg: Boolean(b.querySelector('svg.icon use')),
            text: [...b.childNodes].filter((n) => n.nodeType === Node.TEXT_NODE)
                .map((n) => n.textContent).join('').trim(),
            id: b.id || b.getAttribute('aria-label') })""")
        assert shown["svg"] and not shown["text"], shown


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 800}, PHONE])
def test_room_settings_read_top_to_bottom_and_keep_save_in_view(server, open_page, team, viewport):
    admin, bob, room = team
    page = open_page(admin, **viewport)
    go_to(page, server, room)
    if viewport == PHONE:
        page.set_viewport_size({"width": 390, "height": 600})  # less room than the dialog needs
    page.click("#settings-button")
    dialog = page.locator("dialog.modal[open]")
    archived = dialog.locator("input[name=archived]").bounding_box()
    words = dialog.locator("label", has_text="Archived").locator("span").bounding_box()
    assert words["y"] <= archived["y"] + archived["height"] / 2 <= words["y"] + words["height"], (
        archived,
        words,
    )
    dialog.locator(".hook", has_text="CI").wait_for()
    save = dialog.get_by_role("button", name="Save")
    # The integrations read above Save (on a phone the longer dialog scrolls to them, and
    # Save stays pinned in view below).
    integrations = dialog.locator(".integrations")
    integrations.scroll_into_view_if_needed()
    assert save.bounding_box()["y"] > integrations.bounding_box()["y"]
    visible = dialog.bounding_box()
    assert (
        save.bounding_box()["y"] + save.bounding_box()["height"]
        <= visible["y"] + visible["height"] + 1
    )
    dialog.locator("input[name=hook_name]").fill(f"deploys-{viewport['width']}")
    dialog.get_by_role("button", name="Add webhook").click()
    url = dialog.locator(".hook-url")
    url.wait_for()
    page.wait_for_timeout(300)
    box, footer = url.bounding_box(), dialog.locator(".dialog-buttons").bounding_box()
    assert box["y"] >= visible["y"] and box["y"] + box["height"] <= footer["y"] + 1, (box, footer)
    screenshot(page, f"room-settings-{viewport['width']}")


def test_webhooks_are_listed_apart_from_people(server, open_page, team):
    admin, bob, room = team
    page = open_page(admin)
    go_to(page, server, room)
    listing = members(page)
    headings = {
        h.split(" — ")[0].lower(): int(h.split(" — ")[1])
        for h in listing.locator(".member-heading").all_inner_texts()
    }
    assert headings.get("integrations") == listing.locator(".member.bot").count() >= 1, headings
    assert headings.get("online", 0) + headings.get("offline", 0) == 2, headings  # people only
    ci = listing.locator(".member", has_text="CI")
    assert "bot" in ci.inner_text() and ci.locator(".presence").count() == 0


def test_on_a_phone_a_tapped_message_shows_its_actions_until_a_tap_elsewhere(server, browser, team):
    admin, bob, room = team
    with browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True) as context:
        context.set_default_timeout(10_000)
        page = context.new_page()
        page.goto(server.base + "/")
        sign_in(page, "admin")
        go_to(page, server, room)
        first = page.locator("#message-list .msg", has_text="first of two")
        second = page.locator("#message-list .msg", has_text="second of two")
        toolbar = first.locator(".actions")
        assert toolbar.evaluate("(el) => getComputedStyle(el).opacity") == "0"
        first.locator(".content").tap()
        page.wait_for_timeout(200)
        assert toolbar.evaluate("(el) => getComputedStyle(el).opacity") == "1"
        bar, meta = toolbar.bounding_box(), first.locator(".meta").bounding_box()
        assert bar["y"] >= meta["y"] + meta["height"], (bar, meta)  # not over the name and time
        screenshot(page, "phone-tapped-message")
        # A grouped message: its text, not a button (at the text's start: the first
        # message's toolbar folds away on the tap and the second's own opens there).
        second.locator(".content").tap(position={"x": 8, "y": 8})
        page.wait_for_timeout(200)
        assert page.locator(".emoji-picker").count() == 0
        assert toolbar.evaluate("(el) => getComputedStyle(el).opacity") == "0"
        page.locator("#room-title").tap()
        page.wait_for_timeout(200)
        assert second.locator(".actions").evaluate("(el) => getComputedStyle(el).opacity") == "0"


def test_someone_in_no_room_is_told_how_to_join_or_create_one(server, open_page, team):
    admin, bob, room = team
    loner = register(server, "loner")
    assert server.api("POST", "/api/chat/rooms/1/join/", {}, loner.token)[0] == 200
    status, _ = server.api(
        "PATCH", f"/api/chat/rooms/1/members/{loner.id}/", {"is_banned": True}, admin.token
    )
    assert status == 200
    for viewport in ({"width": 1280, "height": 800}, PHONE):
        page = open_page(None, **viewport)
        sign_in(page, "loner")
        notice = page.locator(".no-room-notice")
        notice.wait_for()
        assert page.locator(".header-actions").is_hidden() and page.locator("#composer").is_hidden()
        screenshot(page, f"no-room-{viewport['width']}")
        notice.get_by_role("button", name="Browse public rooms").click()
        page.locator("dialog.modal[open] .browse-item", has_text="release").get_by_role(
            "button", name="Join"
        ).click()
        page.locator("#room-title", has_text="release").wait_for()
        assert page.locator("#composer").is_visible() and not notice.count()
        server.api("POST", f"/api/chat/rooms/{room['id']}/leave/", {}, loner.token)


def sign_in(page, username: str) -> None:
    page.fill("#auth-username", username)
    page.fill("#auth-password", PASSWORD)
    page.click("#auth-submit")
    page.locator("#message-list .beginning, #message-list .msg, .no-room-notice").first.wait_for()
