"""Threads in the page (issue 28) in a real Chromium against a real server: a root's
"N replies" line opens its thread, two people reply and each sees the other live, a
thread opens from a notification and from a search hit, the Threads view counts unread
threads and reads sync across tabs, and a phone shows the thread full screen with a back
button. Screenshots go to docs/ on request (CHAT_UPDATE_SCREENSHOTS=1)."""

from __future__ import annotations

import pytest

from .conftest import drop_message_posts, publish, register, screenshot
from .test_web_client import bubble, go_to, open_room

pytestmark = pytest.mark.browser
THREAD_POSTS = "**/api/chat/threads/*/messages/"


def post(server, who, room, content: str) -> dict:
    status, msg = server.api(
        "POST", f"/api/chat/rooms/{room['id']}/messages/", {"content": content}, who.token
    )
    assert status == 201, msg
    return msg


def reply(server, who, root_id: int, content: str, also_to_room: bool = False) -> dict:
    status, msg = server.api(
        "POST",
        f"/api/chat/threads/{root_id}/messages/",
        {"content": content, "also_to_room": also_to_room},
        who.token,
    )
    assert status == 201, msg
    return msg


def timeline_msg(page, text: str):
    return page.locator("#message-list .msg", has_text=text)


def thread_msg(page, text: str):
    return page.locator("#thread-list .msg", has_text=text)


def send_in_thread(page, text: str, also_to_room: bool = False) -> None:
    if also_to_room:
        page.check("#thread-also")
    page.fill("#thread-input", text)
    page.press("#thread-input", "Enter")
    page.locator("#thread-list .msg[id^='t-']", has_text=text).last.wait_for()  # stored


def test_two_people_hold_a_thread_while_the_room_sees_one_line(server, open_page):
    ann = register(server, "ann", "Ann Ito")
    ben = register(server, "ben", "Ben Ode")
    room = open_room(server, ann, "release", ben)
    post(server, ann, room, "The 2.4 build fails on ARM — who can look?")
    post(server, ben, room, "Unrelated: lunch at noon")
    page_a, page_b = open_page(ann), open_page(ben)
    go_to(page_a, server, room)
    go_to(page_b, server, room)

    # Ben opens the thread from the root's actions and replies (thread only).
    original = bubble(page_b, "The 2.4 build fails")
    original.hover()
    original.get_by_role("button", name="Reply in thread").click()
    page_b.locator("#thread-panel").wait_for()
    thread_msg(page_b, "build fails on ARM").wait_for()
    send_in_thread(page_b, "Looking — the linker runs out of memory")
    # Ann sees the root's line count it, with Ben's face, and no reply in the room.
    line = bubble(page_a, "The 2.4 build fails").locator(".thread-summary")
    line.locator(".thread-count", has_text="1 reply").wait_for()
    assert line.locator(".thread-faces .avatar").count() == 1
    assert timeline_msg(page_a, "linker runs out of memory").count() == 0
    assert timeline_msg(page_b, "linker runs out of memory").count() == 0

    # Ann opens it from the line; both reply, each sees the other live.
    line.click()
    thread_msg(page_a, "linker runs out of memory").wait_for()
    send_in_thread(page_a, "Try -Wl,--no-keep-memory")
    thread_msg(page_b, "no-keep-memory").wait_for()
    for n in range(3):
        send_in_thread(page_b, f"attempt {n} still fails")
        thread_msg(page_a, f"attempt {n} still fails").wait_for()
    timeline_msg(page_b, "build fails on ARM").locator(
        ".thread-count", has_text="5 replies"
    ).wait_for()
    # "Also send to the room": the reply shows in the timeline with a link to its thread.
    send_in_thread(page_a, "Fixed in #412, thanks Ben", also_to_room=True)
    copy = timeline_msg(page_b, "Fixed in #412")
    copy.locator(".thread-link").wait_for()
    thread_msg(page_b, "Fixed in #412").wait_for()
    assert timeline_msg(page_a, "attempt 1 still fails").count() == 0
    page_a.mouse.move(0, 0)  # no toolbar over the screenshot
    page_a.wait_for_function("() => [...document.images].every(img => img.complete)")
    publish(screenshot(page_a, "thread-desktop"), "screenshot-thread.png")

    # Escape closes the panel; T on a focused message opens its thread again.
    page_a.locator("#thread-input").press("Escape")
    page_a.locator("#thread-panel").wait_for(state="hidden")
    bubble(page_a, "The 2.4 build fails").focus()
    page_a.keyboard.press("t")
    page_a.locator("#thread-panel").wait_for()
    thread_msg(page_a, "Fixed in #412").wait_for()
    assert not page_a.errors and not page_b.errors


def test_the_threads_view_counts_unread_and_reads_sync_across_tabs(server, open_page):
    cal = register(server, "cal", "Cal")
    dee = register(server, "dee", "Dee")
    room = open_room(server, cal, "ops", dee)
    quiet = post(server, cal, room, "Disk alert on db-2")
    busy = post(server, cal, room, "Rotate the TLS certs this week")
    reply(server, dee, quiet["id"], "I will check db-2")  # dee follows both by replying
    reply(server, dee, busy["id"], "On my list")
    tab_one, tab_two = open_page(dee), open_page(dee)
    go_to(tab_one, server, room)
    go_to(tab_two, server, room)
    reply(server, cal, busy["id"], "@dee the staging one expires Friday")
    for tab in (tab_one, tab_two):
        tab.locator("#threads-link .badge", has_text="1").wait_for()
    tab_one.click("#threads-link")
    items = tab_one.locator("#threads-panel .thread-item")
    items.first.locator(".thread-counts", has_text="1 new").wait_for()
    assert "TLS certs" in items.first.inner_text()  # unread first
    assert "Disk alert" in items.nth(1).inner_text()
    items.first.locator(".panel-message").click()
    thread_msg(tab_one, "expires Friday").wait_for()
    # Read in tab one: tab two's badge goes too (thread_state over the socket).
    tab_two.locator("#threads-link .badge").first.wait_for(state="detached")
    tab_one.locator("#threads-link .badge").first.wait_for(state="detached")
    # Unfollow by hand: the thread leaves the view.
    tab_one.click("#thread-follow")
    tab_one.locator("#thread-follow[aria-pressed='false']").wait_for()
    tab_two.click("#threads-link")
    tab_two.locator("#threads-panel .thread-item", has_text="Disk alert").wait_for()
    assert tab_two.locator("#threads-panel .thread-item", has_text="TLS certs").count() == 0
    assert not tab_one.errors and not tab_two.errors


def test_a_thread_opens_from_a_search_hit_and_from_a_notification(server, open_page):
    eve = register(server, "eve", "Eve")
    fox = register(server, "fox", "Fox")
    room = open_room(server, eve, "design", fox)
    root = post(server, eve, room, "New palette for the login page")
    for n in range(30):
        post(server, fox, room, f"room chatter {n}")
    reply(server, eve, root["id"], "The hover colour: chartreuse is too loud")
    page = open_page(fox)
    page.goto(server.base + "/#global")
    page.locator("#room-title", has_text="Global").wait_for()
    page.fill("#search-input", "chartreuse")
    page.press("#search-input", "Enter")
    page.locator("#search-results .search-result").first.click()
    page.locator("#room-title", has_text="design").wait_for()
    thread_msg(page, "chartreuse is too loud").wait_for()
    thread_msg(page, "New palette").wait_for()  # the root heads the thread
    assert timeline_msg(page, "chartreuse").count() == 0

    page.locator("#thread-input").press("Escape")
    page.locator("#thread-panel").wait_for(state="hidden")
    page.goto(server.base + "/#global")
    page.locator("#room-title", has_text="Global").wait_for()
    teal = reply(server, eve, root["id"], "@fox does the teal pass contrast checks?")
    page.locator("#notifications-badge", has_text="1").wait_for()
    page.click("#notifications-button")
    page.locator("#notifications-list .notification", has_text="teal pass").click()
    page.locator("#room-title", has_text="design").wait_for()
    target = thread_msg(page, "teal pass contrast")
    target.wait_for()
    page.wait_for_function("el => el.classList.contains('flash')", arg=target.element_handle())

    # A saved reply (thread only) opens in its thread too.
    page.locator("#thread-input").press("Escape")
    page.locator("#thread-panel").wait_for(state="hidden")
    status, _ = server.api("POST", f"/api/chat/messages/{teal['id']}/save/", {}, fox.token)
    assert status in (200, 201)
    page.click("#saved-button")
    page.locator("#saved-panel .panel-message", has_text="teal pass").click()
    thread_msg(page, "teal pass contrast").wait_for()
    assert not page.errors


def test_a_phone_shows_the_thread_full_screen_with_a_back_button(server, open_page):
    gil = register(server, "gil", "Gil")
    hal = register(server, "hal2", "Hal")
    room = open_room(server, gil, "field-team", hal)
    root = post(server, gil, room, "Site visit on Thursday: who drives?")
    reply(server, hal, root["id"], "I can, the van is free")
    reply(server, gil, root["id"], "Great, leave at 8")
    phone = open_page(hal, width=390, height=844)
    go_to(phone, server, room)
    phone.locator("#message-list .thread-summary", has_text="2 replies").click()
    thread_msg(phone, "leave at 8").wait_for()
    box = phone.locator("#thread-panel").bounding_box()
    assert box["width"] >= 389 and box["x"] <= 1  # the whole screen
    phone.mouse.move(0, 0)
    publish(screenshot(phone, "thread-phone"), "screenshot-thread-phone.png")
    send_in_thread(phone, "See you at 8")
    phone.get_by_role("button", name="Back to field-team").click()
    phone.locator("#thread-panel").wait_for(state="hidden")
    timeline_msg(phone, "who drives").locator(".thread-count", has_text="3 replies").wait_for()
    assert phone.locator("#composer-input").is_visible()
    assert not phone.errors


def test_the_shortcut_help_and_chinese_labels(server, open_page):
    ivo = register(server, "ivo", "Ivo")
    room = open_room(server, ivo, "notes")
    root = post(server, ivo, room, "Reading list")
    reply(server, ivo, root["id"], "SICP")
    page = open_page(ivo, locale="zh-CN")
    go_to(page, server, room)
    page.locator("#message-list .thread-summary", has_text="1 条回复").click()
    page.locator("#thread-panel h2", has_text="话题").wait_for()
    assert page.locator("#thread-also-label").inner_text() == "同时发送到 notes"
    page.locator("#thread-input").press("Escape")
    page.locator("#thread-panel").wait_for(state="hidden")
    page.locator("#message-list").click()
    page.keyboard.press("?")
    dialog = page.locator(".shortcut-dialog")
    dialog.wait_for()
    assert "在话题中回复" in dialog.inner_text()
    page.keyboard.press("Escape")
    dialog.wait_for(state="detached")
    assert not page.errors


def test_a_reply_written_offline_waits_and_goes_to_its_thread(server, open_page):
    jo = register(server, "jo", "Jo")
    room = open_room(server, jo, "drafts")
    root = post(server, jo, room, "Release notes draft")
    page = open_page(jo)
    go_to(page, server, room)
    bubble(page, "Release notes draft").hover()
    bubble(page, "Release notes draft").get_by_role("button", name="Reply in thread").click()
    thread_msg(page, "Release notes draft").wait_for()
    drop_message_posts(page, THREAD_POSTS)
    page.fill("#thread-input", "typed on the train")
    page.press("#thread-input", "Enter")
    page.locator("#thread-list .msg.failed", has_text="typed on the train").wait_for()
    page.unroute(THREAD_POSTS)
    page.context.set_offline(True)
    page.context.set_offline(False)  # the browser's "online" event: the outbox goes again
    page.locator("#thread-list .msg[id^='t-']", has_text="typed on the train").wait_for()
    page.locator("#thread-list .msg.failed").wait_for(state="detached")
    status, thread = server.api("GET", f"/api/chat/threads/{root['id']}/messages/", token=jo.token)
    assert status == 200
    assert [m["content"] for m in thread["results"]] == ["typed on the train"]
    assert thread["results"][0]["thread_only"] is True
    assert timeline_msg(page, "typed on the train").count() == 0
    assert not page.errors


def test_a_deleted_root_keeps_its_thread_readable(server, open_page):
    kay = register(server, "kay", "Kay")
    lou = register(server, "lou", "Lou")
    room = open_room(server, kay, "retro", lou)
    root = post(server, kay, room, "What went wrong in sprint 9?")
    reply(server, lou, root["id"], "Estimates, mostly")
    page = open_page(lou)
    go_to(page, server, room)
    line = page.locator("#message-list .thread-summary", has_text="1 reply")
    line.wait_for()
    status, _ = server.api("DELETE", f"/api/chat/messages/{root['id']}/", token=kay.token)
    assert status in (200, 204)
    deleted = page.locator("#message-list .msg.deleted")
    deleted.locator(".deleted-text", has_text="message deleted").wait_for()
    deleted.locator(".thread-summary", has_text="1 reply").click()
    page.locator("#thread-list .msg.deleted.thread-root").wait_for()
    thread_msg(page, "Estimates, mostly").wait_for()
    assert not page.errors
