"""The audit log in the admin console, in a real Chromium, in English and Chinese:
entries of real actions, filtered on the server, paged by its cursor, exported with
the filters the page shows."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from chat.core.site.audit import ACTIONS

from .conftest import PASSWORD, publish, register, screenshot

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def ada(server):
    return register(server, "ada", "Ada Lovelace")


@pytest.fixture(scope="module")
def history(server, ada):
    """Rooms made by two people and a wrong password: entries to look at."""
    bob = register(server, "bob", "Bob")
    for owner, name in ((ada, "Release plans"), (bob, "Bob's corner")):
        assert server.api("POST", "/api/chat/rooms/", {"name": name}, owner.token)[0] == 201
    for number in range(55):  # more than a page (50) of one action
        assert (
            server.api("POST", "/api/chat/rooms/", {"name": f"scratch {number}"}, bob.token)[0]
            == 201
        )
    wrong = {"username": "bob", "password": "wrong " + PASSWORD}
    assert server.api("POST", "/api/auth/login", wrong)[0] == 401
    return bob


def audit_page(open_page, server, account, locale="en-US"):
    page = open_page(account, locale=locale)
    page.goto(server.base + "/admin")
    page.locator("#audit-section .audit-row").first.wait_for()
    return page


def rows(page):
    return page.locator("#audit-section .audit-row")


def test_filtering_by_actor_and_action_and_paging(server, open_page, ada, history):
    page = audit_page(open_page, server, ada)
    section = page.locator("#audit-section")
    section.locator("input[name=actor]").fill("ada")
    section.locator("button[type=submit]").click()
    expect(rows(page).locator("td.who").filter(has_not_text="ada")).to_have_count(0)
    assert "Release plans" in section.locator("tbody").inner_text()
    assert "Bob's corner" not in section.locator("tbody").inner_text()
    section.locator("input[name=actor]").fill("")
    section.locator("#audit-action").select_option("sign_in_failed")
    expect(rows(page)).to_have_count(1)
    failed = rows(page).first
    assert failed.get_attribute("data-action") == "sign_in_failed"
    assert "Sign-in failed" in failed.inner_text() and "bob" in failed.inner_text()
    assert "127.0.0.1" in failed.inner_text()
    csv_link = section.locator("[data-format=csv]").get_attribute("href")
    assert "action=sign_in_failed" in csv_link and "format=csv" in csv_link
    # 57 room_created entries: a full page, then the rest; newer goes back.
    section.locator("#audit-action").select_option("room_created")
    expect(rows(page)).to_have_count(50)
    expect(rows(page).first).to_contain_text("scratch 54")
    section.locator(".pager-next").click()
    expect(rows(page)).to_have_count(7)
    assert section.locator(".pager-next").is_disabled()
    assert "Release plans" in section.locator("tbody").inner_text()
    section.locator(".pager-prev").click()
    expect(rows(page)).to_have_count(50)
    expect(rows(page).first).to_contain_text("scratch 54")
    assert not page.errors, page.errors


def test_the_audit_log_in_chinese_with_a_date_range(server, open_page, ada, history):
    page = audit_page(open_page, server, ada, locale="zh-CN")
    section = page.locator("#audit-section")
    assert section.locator("h2").inner_text() == "审计日志"
    assert section.locator("button[type=submit]").inner_text() == "筛选"
    assert "操作者" in section.locator("thead").inner_text()
    assert "创建房间" in section.locator("tbody").inner_text()
    options = section.locator("#audit-action option").all_inner_texts()
    assert len(options) == 1 + len(ACTIONS) and not [o for o in options if o.startswith("act_")]
    section.locator("input[name=until]").fill("2001-01-01")
    section.locator("button[type=submit]").click()
    page.locator("#audit-section .admin-empty").wait_for()
    assert section.locator(".admin-empty").inner_text() == "没有匹配项。"
    section.locator("button[type=reset]").click()
    rows(page).first.wait_for()
    section.scroll_into_view_if_needed()
    publish(screenshot(page, "audit-zh"), "screenshot-audit.png")
    assert not page.errors, page.errors


def test_someone_not_a_site_admin_sees_no_audit_log(server, open_page, ada, history):
    bob = register(server, "carol", "Carol")
    page = open_page(bob)
    page.goto(server.base + "/admin")
    page.locator("#admin-refused").wait_for()
    assert page.locator("#audit-section").is_hidden()
    status, _ = server.api("GET", "/api/chat/admin/audit/", token=bob.token)
    assert status == 403
