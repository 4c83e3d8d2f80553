"""Guests in a real Chromium (issue 30): a site admin makes an invitation link in the
console, the guest signs up through it and sees only their room, marked as a guest;
in Chinese, a guest account added from the console's dialog shows in the Guests tab."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .conftest import PASSWORD, register, screenshot

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def ada(server):
    """The module's first account: the site admin."""
    return register(server, "ada", "Ada Lovelace")


@pytest.fixture(scope="module")
def rooms(server, ada):
    """The contractor's room with a message, and a members' room they must not see."""
    bob = register(server, "bob", "Bob")
    made = {}
    for owner, name in ((ada, "Contract work"), (bob, "Members only")):
        status, room = server.api("POST", "/api/chat/rooms/", {"name": name}, owner.token)
        assert status == 201, room
        made[name] = room
        text = {"content": f"hello from {name}"}
        path = f"/api/chat/rooms/{room['id']}/messages/"
        assert server.api("POST", path, text, owner.token)[0] == 201
    return made


def console(open_page, server, account, locale="en-US"):
    page = open_page(account, locale=locale)
    page.goto(server.base + "/admin")
    page.locator("#people-section .admin-row").first.wait_for()
    return page


def test_a_guest_invited_by_link_sees_only_their_room(server, browser, open_page, ada, rooms):
    admin = console(open_page, server, ada)
    admin.locator(".guest-buttons button").nth(1).click()  # Invitation link…
    dialog = admin.locator("dialog.modal")
    dialog.locator("select[name=rooms]").select_option(label="Contract work")
    dialog.locator("button[type=submit]").click()
    link = admin.locator("input.guest-link")
    expect(link).to_have_value(server.base + "/#guest=" + link.input_value().split("=", 1)[1])
    url = link.input_value()

    guest = open_page()
    guest.goto(url)
    guest.reload()  # from "/", only the fragment changed: load the link as a new tab would
    expect(guest.locator("#guest-invited")).to_be_visible()
    guest.fill("#auth-username", "contractor")
    guest.fill("#auth-password", PASSWORD)
    guest.fill("#auth-display", "Casey Contractor")
    guest.locator("#auth-submit").click()
    guest.locator("#message-list .msg").first.wait_for()
    expect(guest.locator("#room-list .room-name")).to_have_text(["Contract work"])
    expect(guest.locator("#message-list")).to_contain_text("hello from Contract work")
    expect(guest.locator("#me-handle")).to_contain_text("guest")
    for button in ("#browse-button", "#create-room-button", "#api-tokens-button"):
        expect(guest.locator(button)).to_be_hidden()
    assert "#guest=" not in guest.url  # a used link leaves the address bar
    screenshot(guest, "guest-page")

    # The link worked once: opening it again fails with the server's words.
    again = open_page()
    again.goto(url)
    again.reload()
    again.fill("#auth-username", "someone")
    again.fill("#auth-password", PASSWORD)
    again.locator("#auth-submit").click()
    expect(again.locator("#auth-error")).to_contain_text("used, expired or unknown")

    # Members see the guest marked, in the room's members and beside their messages.
    member = open_page(ada)
    member.locator("#room-list .room-link", has_text="Contract work").click()
    member.locator("#members-button").click()
    expect(
        member.locator("#member-list .member", has_text="Casey").locator(".guest-mark")
    ).to_be_visible()
    admin.reload()
    admin.locator(".admin-tab[data-tab=guests]").click()
    expect(admin.locator("#people-section .admin-row")).to_have_count(1)
    expect(admin.locator("#people-section .admin-row")).to_contain_text("Contract work")
    assert not guest.errors and not admin.errors


def test_adding_a_guest_from_the_console_in_chinese(server, open_page, ada, rooms):
    admin = console(open_page, server, ada, locale="zh-CN")
    expect(admin.locator(".guest-buttons button").first).to_have_text("添加访客…")
    admin.locator(".guest-buttons button").first.click()
    dialog = admin.locator("dialog.modal")
    dialog.locator("input[name=username]").fill("auditor")
    dialog.locator("input[name=password]").fill(PASSWORD)
    dialog.locator("select[name=rooms]").select_option(label="Contract work")
    dialog.locator("button[type=submit]").click()
    expect(dialog).to_have_count(0)
    admin.locator(".admin-tab[data-tab=guests]").click()
    expect(admin.locator(".admin-tab[data-tab=guests]")).to_have_text("访客")
    row = admin.locator("#people-section .admin-row", has_text="auditor")
    expect(row.locator(".guest-mark")).to_have_text("访客")
    row.locator(".row-menu-button").click()
    expect(row.locator(".row-menu")).to_contain_text("设为成员")
    screenshot(admin, "guest-console-zh")
    assert not admin.errors
