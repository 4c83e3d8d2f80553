"""The web page as a newcomer meets it: unsent messages that survive, no stray "null",
keyboard-first search, presence that admits it is unknown, link cards, invitations,
room settings, the profile dialog and the admin page."""

from __future__ import annotations

import re

import pytest

from .conftest import MESSAGE_POSTS, PASSWORD, drop_message_posts, publish, register, screenshot
from .test_web_client import bubble, go_to, open_room, png, send

pytestmark = pytest.mark.browser

NO_NULLS = """() => {
  const bad = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    const shown = el && el.checkVisibility();
    if (shown && /\\b(null|undefined)\\b/.test(node.textContent)) bad.push(node.textContent);
  }
  for (const el of document.querySelectorAll("[placeholder], [aria-label], [title]")) {
    for (const name of ["placeholder", "aria-label", "title"]) {
      const value = el.getAttribute(name);
      if (value && /\\b(null|undefined)\\b/.test(value)) bad.push(`${name}=${value}`);
    }
  }
  return bad;
}"""


def no_nulls(page, view: str) -> None:
    assert page.evaluate(NO_NULLS) == [], view


def close_dialog(page) -> None:
    page.keyboard.press("Escape")
    page.locator("dialog[open]").wait_for(state="detached")


@pytest.fixture(scope="module")
def ada(server):
    """The module's first account: the site admin."""
    return register(server, "ada", "Ada")


def test_a_message_written_offline_survives_room_switches_and_reloads(server, open_page, ada):
    gus = register(server, "gus", "Gus")
    first = open_room(server, gus, "first")
    second = open_room(server, gus, "second")
    page = open_page(gus)
    go_to(page, server, first)
    drop_message_posts(page)
    page.fill("#composer-input", "typed on the train")
    page.press("#composer-input", "Enter")
    page.locator(".msg.failed", has_text="typed on the train").wait_for()
    go_to(page, server, second)
    go_to(page, server, first)
    page.locator(".msg.failed", has_text="typed on the train").wait_for()
    page.reload()
    page.locator("#room-title", has_text="first").wait_for()
    waiting = page.locator("#message-list .msg", has_text="typed on the train")
    waiting.wait_for()
    assert waiting.count() == 1
    go_to(page, server, second)  # the connection returns in another room
    page.unroute(MESSAGE_POSTS)
    page.context.set_offline(True)
    page.context.set_offline(False)  # the browser's "online" event
    page.wait_for_function(f"() => !localStorage.getItem('teahouse.outbox.' + {gus.id})")
    status, history = server.api(
        "GET", f"/api/chat/rooms/{first['id']}/messages/?page_size=100", token=gus.token
    )
    assert [m["content"] for m in history["messages"]].count("typed on the train") == 1
    go_to(page, server, first)
    page.locator("#message-list .msg[id^='m-']", has_text="typed on the train").wait_for()
    assert page.locator("#message-list .msg", has_text="typed on the train").count() == 1
    assert not page.errors


def test_no_view_shows_null_or_undefined(server, open_page, ada):
    signed_out = open_page()
    signed_out.locator("#auth-form").wait_for()
    no_nulls(signed_out, "sign-in screen")
    room = open_room(server, ada, "quiet corner")
    page = open_page(ada)
    go_to(page, server, room)
    page.locator("#member-list .member.online").first.wait_for()  # nobody is offline
    no_nulls(page, "room with everyone online")
    send(page, "first words")
    mine = bubble(page, "first words")
    mine.hover()
    mine.locator("button[aria-label='Edit']").click()
    page.locator("#composer-context").wait_for()
    no_nulls(page, "edit bar")
    page.keyboard.press("Escape")
    for opener, view in (("#notifications-button", "notifications"),):
        page.click(opener)
        no_nulls(page, view)
    page.fill("#search-input", "nothing matches this")
    page.press("#search-input", "Enter")
    page.locator("#search-results li").first.wait_for()
    no_nulls(page, "search")
    page.keyboard.press("Escape")
    for opener in (
        "#settings-button",
        "#invite-button",
        "#browse-button",
        "#create-room-button",
        "#new-direct-button",
        ".profile-button",
    ):
        page.click(opener)
        page.locator("dialog[open]").wait_for()
        no_nulls(page, opener)
        close_dialog(page)
    page.goto(server.base + "/admin")
    page.locator("#people-section .admin-row").first.wait_for()
    no_nulls(page, "admin page")
    assert not page.errors


def test_search_results_take_the_focus_and_arrow_keys_walk_them(server, open_page, ada):
    room = open_room(server, ada, "notes")
    for n in range(3):
        server.api(
            "POST", f"/api/chat/rooms/{room['id']}/messages/", {"content": f"kettle {n}"}, ada.token
        )
    page = open_page(ada)
    go_to(page, server, room)
    page.fill("#search-input", "kettle")
    page.press("#search-input", "Enter")
    results = page.locator("#search-results .search-result")
    results.first.wait_for()
    focused = (
        "() => [...document.querySelectorAll('#search-results .search-result')]"
        ".indexOf(document.activeElement)"
    )
    page.wait_for_function(f"({focused})() === 0")
    page.keyboard.press("ArrowDown")
    assert page.evaluate(focused) == 1
    page.keyboard.press("End")
    assert page.evaluate(focused) == results.count() - 1
    page.keyboard.press("ArrowUp")
    assert page.evaluate(focused) == results.count() - 2
    page.keyboard.press("Home")
    assert page.evaluate(focused) == 0
    page.keyboard.press("Enter")
    page.locator("#search-panel").wait_for(state="hidden")


def test_presence_is_unknown_offline_and_external_files_are_link_cards(server, open_page, ada):
    ivo = register(server, "ivo", "Ivo")
    room = open_room(server, ada, "links", ivo)
    server.api(
        "POST",
        f"/api/chat/rooms/{room['id']}/messages/",
        {
            "content": "the report",
            "message_type": "file",
            "file_name": "report.pdf",
            "file_url": "https://files.example.com/report.pdf",
        },
        ivo.token,
    )
    page = open_page(ada)
    outside = []
    page.on("request", lambda request: "example.com" in request.url and outside.append(request.url))
    go_to(page, server, room)
    card = page.locator("a.link-card", has_text="report.pdf")
    card.wait_for()
    assert card.get_attribute("href") == "https://files.example.com/report.pdf"
    assert "files.example.com" in card.inner_text() and not outside
    page.locator("#member-list .member.online", has_text="Ada").wait_for()
    server.kill()
    page.locator("#members-panel.stale").wait_for()
    page.locator("#member-list .member-heading", has_text="Presence unknown").wait_for()
    assert page.locator("#member-list .member.online").count() == 0
    assert page.inner_text("#online-count") == "–"
    server.start()
    page.locator("#member-list .member.online", has_text="Ada").wait_for(timeout=20_000)
    assert page.locator("#members-panel.stale").count() == 0


def test_invitations_suggest_names_and_are_accepted_or_declined(server, open_page, ada):
    jo = register(server, "jo_newcomer", "Jo")
    status, room = server.api(
        "POST", "/api/chat/rooms/", {"name": "back office", "room_type": "private"}, ada.token
    )
    page = open_page(ada)
    go_to(page, server, room)
    page.click("#invite-button")
    page.fill("dialog[open] input[name=username]", "jo_new")
    page.wait_for_function(
        "() => [...document.querySelectorAll('#invite-people option')]"
        ".some(o => o.value === 'jo_newcomer')"
    )
    page.fill("dialog[open] input[name=username]", "jo_newcomer")  # the suggestion, picked
    page.locator("dialog[open]").get_by_role("button", name="Invite").click()
    page.locator("dialog[open]").wait_for(state="detached")

    guest = open_page(jo)
    server.api("POST", "/api/chat/direct/", {"username": "ada"}, jo.token)
    guest.reload()
    # display names: the list shows "ada" until the name is looked up (has_text ignores case)
    guest.locator("#direct-list .room-name", has_text=re.compile("^Ada$")).wait_for()
    assert guest.locator("#direct-list .room-name").inner_text() == "Ada"
    guest.click("#notifications-button")
    invitation = guest.locator(".notification.invitation", has_text="back office")
    invitation.get_by_role("button", name="Decline").click()
    invitation.get_by_role("button", name="Decline").wait_for(state="detached")
    status, _ = server.api("POST", f"/api/chat/rooms/{room['id']}/join/", {}, jo.token)
    assert status == 403
    server.api(
        "POST", f"/api/chat/rooms/{room['id']}/invite/", {"username": "jo_newcomer"}, ada.token
    )
    guest.locator(".notification.invitation.unread").get_by_role("button", name="Accept").click()
    guest.locator("#room-title", has_text="back office").wait_for()
    assert not guest.errors and not page.errors


def test_room_admins_change_type_limit_notices_and_archive_in_room_settings(server, open_page, ada):
    kit = register(server, "kit", "Kit")
    room = open_room(server, kit, "workshop")
    page = open_page(kit)
    go_to(page, server, room)
    page.click("#settings-button")
    dialog = page.locator("dialog[open]")
    dialog.locator("select[name=room_type]").select_option("private")
    dialog.locator("input[name=max_members]").fill("")
    assert dialog.locator("select[name=join_notices]").input_value() == "coalesced"
    dialog.locator("select[name=join_notices]").select_option("never")
    dialog.locator("input[name=archived]").check()
    dialog.get_by_role("button", name="Save").click()
    dialog.wait_for(state="detached")
    status, seen = server.api("GET", f"/api/chat/rooms/{room['id']}/", token=kit.token)
    assert (seen["room_type"], seen["max_members"], seen["is_archived"], seen["join_notices"]) == (
        "private",
        None,
        True,
        "never",
    )
    page.click("#settings-button")
    page.locator("dialog[open]").get_by_role("button", name="Delete room").click()
    page.locator("dialog[open][role=alertdialog]").get_by_role("button", name="Delete room").click()
    page.locator("#room-title", has_text="Global").wait_for()
    status, _ = server.api("GET", f"/api/chat/rooms/{room['id']}/", token=kit.token)
    assert status == 404


def test_profile_dialog_and_admin_page(server, open_page, ada, tmp_path):
    lou = register(server, "lou", "Lou")
    page = open_page(ada)
    page.locator(".admin-link").wait_for()
    page.click(".profile-button")
    dialog = page.locator("dialog[open]")
    dialog.locator("input[name=display_name]").fill("Ada Lovelace")
    picture = tmp_path / "me.png"
    picture.write_bytes(png(300, 200))
    dialog.locator("input[name=avatar]").set_input_files(str(picture))
    dialog.locator("input[name=old_password]").fill(PASSWORD)
    dialog.locator("input[name=password]").fill("an even better password")
    publish(screenshot(page, "profile"), "screenshot-profile.png")
    dialog.get_by_role("button", name="Save").click()
    dialog.wait_for(state="detached")
    page.locator("#me-name", has_text="Ada Lovelace").wait_for()
    assert "/uploads/chat/" in page.locator("#me-avatar img").get_attribute("src")
    status, _ = server.api(
        "POST", "/api/auth/login", {"username": "ada", "password": "an even better password"}
    )
    assert status == 200

    victim = open_page(lou)
    page.click(".admin-link")
    row = page.locator("#people-section .admin-row", has_text="@lou")
    row.wait_for()
    page.locator("#rooms-section .admin-row").first.wait_for()
    page.fill("#announce-title-input", "Tea at four")
    row.locator(".row-menu-button").click()
    row.get_by_role("menuitem", name="Deactivate…").click()
    page.locator("dialog[open]").get_by_role("button", name="Deactivate").click()
    row.locator(".state.off").wait_for()
    victim.locator("#auth-view").wait_for(timeout=15_000)  # its socket closed with 4001
    assert server.api("GET", "/api/auth/me", token=lou.token)[0] == 401
    page.click("#announce-form button[type=submit]")
    page.locator("#toast", has_text=re.compile("Sent to")).wait_for()
    assert page.locator("#rooms-section .admin-row", has_text="Global").count() == 1

    outsider = register(server, "mo", "Mo")
    stranger = open_page(outsider)
    stranger.goto(server.base + "/admin")
    stranger.locator("#admin-refused").wait_for()
    assert stranger.locator("#admin-main").is_hidden()
    assert not page.errors
