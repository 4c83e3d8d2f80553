"""The admin console in a real Chromium (issue 24): destructive actions ask first and
name what is lost, deleting a room with messages wants its name typed, official rooms
offer archiving instead, actions sit in one menu per row, and the tables search and
page on the server."""

from __future__ import annotations

import re

import pytest

from .conftest import publish, register, screenshot
from .test_web_client import open_room

pytestmark = pytest.mark.browser
PEOPLE = 60  # more than a page (50), few enough that the server hashes them quickly


@pytest.fixture(scope="module")
def ada(server):
    """The module's first account: the site admin."""
    return register(server, "ada", "Ada Lovelace")


@pytest.fixture(scope="module")
def crowd(server, ada):
    """PEOPLE people, a webhook's account and a room with messages, made through the API."""
    people = [register(server, f"member{n:03d}", f"Member {n}") for n in range(PEOPLE)]
    room = open_room(server, ada, "Release plans", people[0])
    for text in ("ship on friday", "tests are green"):
        assert (
            server.api(
                "POST", f"/api/chat/rooms/{room['id']}/messages/", {"content": text}, ada.token
            )[0]
            == 201
        )
    status, _ = server.api(
        "POST", f"/api/chat/rooms/{room['id']}/hooks/", {"name": "Deploys"}, ada.token
    )
    assert status == 201
    return people


def admin_page(open_page, server, account, locale="en-US"):
    page = open_page(account, locale=locale)
    page.goto(server.base + "/admin")
    page.locator("#people-section .admin-row").first.wait_for()
    page.locator("#rooms-section .admin-row").first.wait_for()
    return page


def room_row(page, name: str):
    return page.locator("#rooms-section .admin-row", has=page.locator("strong", has_text=name))


def open_menu(row):
    row.locator(".row-menu-button").click()
    menu = row.locator(".row-menu")
    menu.wait_for()
    return menu


def room_exists(server, account, room_id: int) -> bool:
    return server.api("GET", f"/api/chat/rooms/{room_id}/", token=account.token)[0] == 200


def test_deleting_a_room_asks_first_and_cancel_keeps_it(server, open_page, ada, crowd):
    page = admin_page(open_page, server, ada)
    row = room_row(page, "Release plans")
    open_menu(row).get_by_role("menuitem", name="Delete…").click()
    dialog = page.locator("dialog[open]")
    dialog.wait_for()
    assert "Release plans" in dialog.inner_text() and "2 messages" in dialog.inner_text()
    assert dialog.get_by_role("button", name="Delete room").is_disabled()
    dialog.get_by_role("button", name="Cancel").click()
    dialog.wait_for(state="detached")
    room_id = int(row.get_attribute("data-room-id"))
    assert row.is_visible() and room_exists(server, ada, room_id)
    assert not page.dialogs and not page.errors  # a real dialog, never window.confirm


def test_typing_the_room_name_enables_deletion_and_a_site_admin_restores_it(
    server, open_page, ada, crowd
):
    page = admin_page(open_page, server, ada)
    row = room_row(page, "Release plans")
    room_id = int(row.get_attribute("data-room-id"))
    open_menu(row).get_by_role("menuitem", name="Delete…").click()
    dialog = page.locator("dialog[open]")
    delete = dialog.get_by_role("button", name="Delete room")
    dialog.locator("input.typed-confirm").fill("Release")
    assert delete.is_disabled()
    dialog.locator("input.typed-confirm").fill("Release plans")
    assert delete.is_enabled()
    delete.click()
    page.locator("#toast", has_text="can be restored").wait_for()
    row.wait_for(state="detached")
    assert not room_exists(server, ada, room_id)

    page.locator("#rooms-section .admin-tab", has_text="Deleted rooms").click()
    deleted = room_row(page, "Release plans")
    open_menu(deleted).get_by_role("menuitem", name="Restore").click()
    page.locator("#toast", has_text="restored").wait_for()
    deleted.wait_for(state="detached")
    assert room_exists(server, ada, room_id)
    status, history = server.api("GET", f"/api/chat/rooms/{room_id}/messages/", token=ada.token)
    assert "ship on friday" in [m["content"] for m in history["messages"]]


def test_the_official_room_offers_archiving_and_cannot_be_deleted(server, open_page, ada, crowd):
    page = admin_page(open_page, server, ada)
    menu = open_menu(room_row(page, "Global"))
    items = menu.get_by_role("menuitem")
    assert items.first.inner_text() == "Archive"  # the first step offered
    delete = menu.get_by_role("menuitem", name=re.compile("Delete"))
    assert delete.is_disabled() and "archive instead" in delete.inner_text()
    page.keyboard.press("Escape")
    menu.wait_for(state="hidden")


def test_each_row_has_one_menu_and_deactivating_asks_first(server, open_page, ada, crowd):
    page = admin_page(open_page, server, ada)
    page.fill("#users-query", "member007")
    page.locator("#people-section .admin-count", has_text="1–1 of 1").wait_for()
    row = page.locator("#people-section .admin-row", has_text="@member007")
    assert row.locator("button:visible").count() == 1  # only the menu's button
    menu = open_menu(row)
    labels = menu.get_by_role("menuitem").all_inner_texts()
    assert labels == ["Make site admin", "Reset password…", "Make guest…", "Deactivate…"]
    menu.get_by_role("menuitem", name="Deactivate…").click()
    dialog = page.locator("dialog[open]")
    assert "Member 7" in dialog.inner_text() and "signed out everywhere" in dialog.inner_text()
    dialog.get_by_role("button", name="Cancel").click()
    dialog.wait_for(state="detached")
    assert row.locator(".state").inner_text() == "active"
    open_menu(row).get_by_role("menuitem", name="Deactivate…").click()
    dialog.get_by_role("button", name="Deactivate").click()
    row.locator(".state.off").wait_for()
    assert server.api("GET", "/api/auth/me", token=crowd[7].token)[0] == 401


def test_the_tables_page_and_search_on_the_server_with_bots_kept_apart(
    server, open_page, ada, crowd
):
    page = admin_page(open_page, server, ada)
    people = page.locator("#people-section")
    count = people.locator(".admin-count")
    assert count.inner_text() == f"1–50 of {PEOPLE + 1}"
    assert people.locator(".admin-row").count() == 50
    people.get_by_role("button", name="Next").click()
    count.filter(has_text=f"51–{PEOPLE + 1} of").wait_for()
    page.fill("#users-query", "Member 1")  # 1 and 10-19
    count.filter(has_text="1–11 of 11").wait_for()
    assert people.locator(".admin-row").count() == 11
    page.fill("#users-query", "")
    people.locator(".admin-tab", has_text="Bots and webhooks").click()
    bot = people.locator(".admin-row", has_text="Deploys")
    bot.wait_for()
    assert "webhook" in bot.inner_text() and people.locator(".admin-row").count() == 1
    page.fill("#rooms-query", "release")
    room_row(page, "Release plans").wait_for()
    page.locator("#rooms-section .admin-count", has_text="1–1 of 1").wait_for()
    assert not page.errors


def test_the_console_speaks_chinese(server, open_page, ada, crowd):
    page = admin_page(open_page, server, ada, locale="zh-CN")
    page.locator("#rooms-section .admin-tab", has_text="已删除的房间").wait_for()
    menu = open_menu(room_row(page, "Release plans"))
    menu.get_by_role("menuitem", name="删除…").click()
    assert "删除“Release plans”？" in page.locator("dialog[open]").inner_text()
    page.locator("dialog[open]").get_by_role("button", name="取消").click()


def test_a_screenshot_of_the_console(server, open_page, ada, crowd):
    page = admin_page(open_page, server, ada)
    page.fill("#users-query", "a")  # a short people table: the rooms show too
    page.locator("#people-section .admin-count", has_text="1–1 of 1").wait_for()
    open_menu(room_row(page, "Global"))
    publish(screenshot(page, "admin"), "screenshot-admin.png")


def test_the_room_settings_and_password_dialogs_save(server, open_page, ada, crowd):
    page = admin_page(open_page, server, ada)
    row = room_row(page, "Release plans")
    room_id = int(row.get_attribute("data-room-id"))
    open_menu(row).get_by_role("menuitem", name="Type and member limit…").click()
    dialog = page.locator("dialog[open]")
    dialog.locator("select[name=room_type]").select_option("private")
    dialog.locator("input[name=max_members]").fill("")
    dialog.get_by_role("button", name="Save").click()
    dialog.wait_for(state="detached")
    room_row(page, "Release plans").filter(has_text="Private").wait_for()
    _, room = server.api("GET", f"/api/chat/rooms/{room_id}/", token=ada.token)
    assert (room["room_type"], room["max_members"]) == ("private", None)

    page.fill("#users-query", "member010")
    page.locator("#people-section .admin-count", has_text="1–1 of 1").wait_for()
    person = page.locator("#people-section .admin-row", has_text="@member010")
    open_menu(person).get_by_role("menuitem", name="Reset password…").click()
    dialog.locator("input[name=password]").fill("a brand new password")
    dialog.get_by_role("button", name="Reset password").click()
    dialog.wait_for(state="detached")
    status, _ = server.api(
        "POST", "/api/auth/login", {"username": "member010", "password": "a brand new password"}
    )
    assert status == 200 and not page.errors
