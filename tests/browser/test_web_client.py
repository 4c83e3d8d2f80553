"""The built-in web client in a real Chromium against a real server process."""

from __future__ import annotations

import re
import struct
import zlib

import pytest

from .conftest import PASSWORD, publish, register, screenshot, upload

pytestmark = pytest.mark.browser
XSS = "<img src=x onerror=alert(1)>"


def png(width: int = 96, height: int = 64) -> bytes:
    """A small real PNG (a tea-coloured gradient), so the server's sniffing accepts it."""

    def pixel(x: int, y: int) -> bytes:
        sun = (x - width * 0.7) ** 2 + (y - height * 0.35) ** 2 < (height * 0.18) ** 2
        if sun:
            return bytes((250, 214, 140))
        hill = y > height * (0.65 + 0.12 * ((x / width) - 0.5) ** 2)
        if hill:
            return bytes((47, 111, 94))
        return bytes((60 + 150 * x // width, 140 + 80 * y // height, 170))

    rows = b"".join(b"\x00" + b"".join(pixel(x, y) for x in range(width)) for y in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def message(page, text: str):
    return page.locator("#message-list .msg .content", has_text=text)


def bubble(page, text: str):
    """The message whose own text starts with text (not a reply quoting it)."""
    own_text = page.locator(".content", has_text=re.compile("^" + re.escape(text)))
    return page.locator("#message-list .msg").filter(has=own_text)


def send(page, text: str) -> None:
    page.fill("#composer-input", text)
    page.press("#composer-input", "Enter")
    page.locator(
        "#message-list .msg[id^='m-']", has_text=text
    ).last.wait_for()  # stored, not pending


def open_room(server, owner, name: str, *members) -> dict:
    status, room = server.api("POST", "/api/chat/rooms/", {"name": name}, owner.token)
    assert status == 201, room
    for member in members:
        server.api("POST", f"/api/chat/rooms/{room['id']}/join/", {}, member.token)
    return room


def go_to(page, server, room) -> None:
    page.goto(f"{server.base}/#{room['slug']}")
    page.locator("#room-title", has_text=room["name"]).wait_for()
    page.locator("#message-list .beginning, #message-list .msg").first.wait_for()


def test_a_newcomer_signs_up_signs_out_and_signs_in_again(server, open_page):
    page = open_page()
    page.click("#tab-signup")
    page.fill("#auth-username", "carol")
    page.fill("#auth-password", "short")
    page.click("#auth-submit")
    page.locator("#auth-error").filter(has_text="8").wait_for()  # the server's own words
    page.fill("#auth-password", PASSWORD)
    page.fill("#auth-display", "Carol Chen")
    page.click("#auth-submit")
    page.locator("#room-title", has_text="Global").wait_for()
    assert page.locator("#me-name").inner_text() == "Carol Chen"
    page.click("#sign-out-button")
    page.locator("#auth-form").wait_for()
    page.fill("#auth-username", "carol")
    page.fill("#auth-password", "wrong password")
    page.click("#auth-submit")
    page.locator("#auth-error").filter(has_text=re.compile(r"\S")).wait_for()
    page.fill("#auth-password", PASSWORD)
    page.click("#auth-submit")
    page.locator("#room-title", has_text="Global").wait_for()
    # The page holds no token: the login lives in an HttpOnly cookie that survives a reload.
    assert "access_token" not in page.evaluate("JSON.stringify({...localStorage})")
    assert "teahouse_session" not in page.evaluate("document.cookie")
    page.reload()
    page.locator("#room-title", has_text="Global").wait_for()


def test_two_people_chat_see_typing_presence_and_an_inline_image(server, open_page):
    alice = register(server, "alice", "Alice Liddell")
    bob = register(server, "bob", "Bob Marley")
    room = open_room(server, alice, "design-review", bob)
    page_a, page_b = open_page(alice), open_page(bob)
    go_to(page_a, server, room)
    go_to(page_b, server, room)
    page_b.click("#members-button")
    page_b.locator("#member-list .member.online", has_text="Alice Liddell").wait_for()
    page_a.locator("#member-list .member.online", has_text="Bob Marley").wait_for(state="attached")

    page_a.fill("#composer-input", "Morning! The new mockups are up")
    page_a.type("#composer-input", " ")
    page_b.locator("#typing-line", has_text="Alice Liddell is typing").wait_for()
    page_a.press("#composer-input", "Enter")
    message(page_b, "Morning! The new mockups are up").wait_for()
    page_b.locator("#typing-line", has_text="typing").wait_for(state="hidden")

    page_b.type("#composer-input", "Great, sharing")
    page_b.press("#composer-input", "Shift+Enter")  # a newline, not a send
    page_b.type("#composer-input", "the screenshot from yesterday")
    page_b.press("#composer-input", "Enter")
    two_lines = bubble(page_a, "Great, sharing")
    two_lines.wait_for()
    assert (
        two_lines.locator(".content").inner_text()
        == "Great, sharing\nthe screenshot from yesterday"
    )
    page_b.set_input_files(
        "#file-input",
        files=[{"name": "mockup.png", "mimeType": "image/png", "buffer": png(160, 100)}],
    )
    for page in (page_a, page_b):
        image = page.locator("#message-list img.thumb[alt='mockup.png']")
        image.wait_for()
        page.wait_for_function(
            "img => img.complete && img.naturalWidth === 160", arg=image.element_handle()
        )
    assert page_a.locator("#message-list .msg.own").count() >= 1
    assert not page_a.errors and not page_b.errors


def test_markup_in_a_message_and_in_a_file_name_shows_as_text(server, open_page):
    mallory = register(server, "mallory")
    victim = register(server, "victor")
    room = open_room(server, mallory, "xss-lab", victim)
    page_m, page_v = open_page(mallory), open_page(victim)
    go_to(page_m, server, room)
    go_to(page_v, server, room)
    send(page_m, XSS)
    page_m.set_input_files(
        "#file-input",
        files=[{"name": f"{XSS}.txt", "mimeType": "text/plain", "buffer": b"just text\n"}],
    )
    card = page_v.locator("#message-list .file-card .file-name")
    card.wait_for()
    assert XSS in card.inner_text()
    assert message(page_v, XSS).inner_text() == XSS
    page_v.wait_for_timeout(300)  # an injected onerror would have fired by now
    for page in (page_m, page_v):
        assert page.dialogs == [], page.dialogs
        assert page.locator("#message-list img[src='x']").count() == 0
        assert not page.errors


def test_the_page_reconnects_after_a_server_restart_and_shows_what_was_missed(server, open_page):
    dana = register(server, "dana", "Dana")
    eli = register(server, "eli", "Eli")
    room = open_room(server, dana, "ops", eli)
    status, early = server.api(
        "POST", f"/api/chat/rooms/{room['id']}/messages/", {"content": "deploy at noon"}, eli.token
    )
    assert status == 201
    page = open_page(dana)
    go_to(page, server, room)
    message(page, "deploy at noon").wait_for()
    page.locator("#member-list .member.online", has_text="Dana").wait_for(
        state="attached"
    )  # socket open

    server.kill()
    page.locator("#connection-banner").wait_for()
    page.fill("#composer-input", "written while offline")
    page.press("#composer-input", "Enter")
    page.locator(".msg.failed", has_text="written while offline").wait_for()
    server.start()
    for text in ("missed one", "missed two"):
        status, _ = server.api(
            "POST", f"/api/chat/rooms/{room['id']}/messages/", {"content": text}, eli.token
        )
        assert status == 201
    status, edited = server.api(
        "PATCH", f"/api/chat/messages/{early['id']}/", {"content": "deploy at one"}, eli.token
    )
    assert status == 200, edited

    page.locator("#connection-banner").wait_for(state="hidden", timeout=20_000)
    for text in ("missed one", "missed two", "deploy at one", "written while offline"):
        message(page, text).wait_for()
        assert message(page, text).count() == 1, text
    page.locator(".msg.failed").wait_for(state="detached")
    assert message(page, "deploy at noon").count() == 0
    assert not page.errors


def test_replies_edits_deletions_and_reactions_reach_the_other_member(server, open_page):
    fay = register(server, "fay", "Fay")
    gus = register(server, "gus", "Gus")
    room = open_room(server, fay, "standup", gus)
    page_f, page_g = open_page(fay), open_page(gus)
    go_to(page_f, server, room)
    go_to(page_g, server, room)
    send(page_f, "Shipping the release today")
    send(page_f, "Line one")
    page_f.press("#composer-input", "ArrowUp")  # edit the last own message
    page_f.fill("#composer-input", "Line one\nLine two")
    page_f.press("#composer-input", "Enter")
    edited = page_g.locator(".msg", has_text="Line two")
    edited.locator(".edited").wait_for()
    assert "Line one\nLine two" in edited.locator(".content").inner_text()

    original = bubble(page_g, "Shipping the release today")
    original.hover()
    original.get_by_role("button", name="Reply", exact=True).click()
    send(page_g, "Need a hand with QA?")
    quote = page_f.locator(".msg", has_text="Need a hand with QA?").locator(".reply-quote")
    quote.wait_for()
    assert "Shipping the release today" in quote.inner_text()

    original.hover()
    original.get_by_role("button", name="Add a reaction").click()
    page_g.get_by_role("menuitem", name="🎉").click()
    bubble(page_f, "Shipping the release today").locator(".reaction", has_text="1").wait_for()

    line = page_f.locator(".msg", has_text="Line two")
    line.hover()
    line.get_by_role("button", name="Delete").click()
    page_f.get_by_role("alertdialog").get_by_role("button", name="Delete").click()
    page_g.locator(".msg.deleted .deleted-text", has_text="message deleted").wait_for()
    assert page_g.locator(".msg", has_text="Line two").count() == 0
    assert not page_f.errors and not page_g.errors


def test_older_history_loads_on_scroll_up_without_moving_the_view(server, open_page):
    hal = register(server, "hal", "Hal")
    room = open_room(server, hal, "archive")
    for n in range(1, 131):
        status, _ = server.api(
            "POST",
            f"/api/chat/rooms/{room['id']}/messages/",
            {"content": f"entry {n:03d}"},
            hal.token,
        )
        assert status == 201
    page = open_page(hal)
    go_to(page, server, room)
    message(page, "entry 130").wait_for()
    page.locator("#member-list .member.online", has_text="Hal").wait_for(
        state="attached"
    )  # settled
    assert message(page, "entry 080").count() == 0
    top = "el => el.getBoundingClientRect().top"
    page.evaluate("document.querySelector('#messages').scrollTop = 0")
    before = message(page, "entry 081").evaluate(top)
    message(page, "entry 080").wait_for()
    page.wait_for_timeout(100)
    assert abs(message(page, "entry 081").evaluate(top) - before) < 2  # the view did not jump
    page.evaluate("document.querySelector('#messages').scrollTop = 0")
    message(page, "entry 001").wait_for()
    page.locator("#message-list .beginning").wait_for()
    assert page.locator("#message-list .content", has_text=re.compile(r"^entry")).count() == 130
    assert page.locator("#message-list .msg.continued").count() > 100  # one sender, grouped
    assert page.locator("#message-list .day").count() == 1


def test_search_finds_chinese_text_highlights_it_and_jumps_to_the_message(server, open_page):
    ivy = register(server, "ivy", "Ivy")
    room = open_room(server, ivy, "planning")
    url = f"/api/chat/rooms/{room['id']}/messages/"
    server.api("POST", url, {"content": "明天的会议改到三点 <b>不是粗体</b>"}, ivy.token)
    for n in range(60):
        server.api("POST", url, {"content": f"filler {n}"}, ivy.token)
    page = open_page(ivy)
    go_to(page, server, room)
    page.fill("#search-input", "会议")
    page.press("#search-input", "Enter")
    result = page.locator("#search-results .search-result").first
    result.wait_for()
    assert result.locator("mark").first.inner_text() == "会议"
    assert "<b>不是粗体</b>" in result.inner_text()
    result.click()
    target = bubble(page, "明天的会议改到三点")
    target.wait_for()
    page.wait_for_function("el => el.classList.contains('flash')", arg=target.element_handle())
    assert target.is_visible() and target.locator("b").count() == 0


def test_a_mention_is_highlighted_notified_and_read(server, open_page):
    jay = register(server, "jay", "Jay")
    kim = register(server, "kim", "Kim")
    room = open_room(server, jay, "frontend", kim)
    page_j, page_k = open_page(jay), open_page(kim)
    go_to(page_j, server, room)
    go_to(page_k, server, room)
    page_k.locator("#member-list .member", has_text="Jay").wait_for(state="attached")
    page_k.fill("#composer-input", "hey @j")
    page_k.locator("#mention-list [role=option]", has_text="Jay").wait_for()
    page_k.press("#composer-input", "Enter")  # picks the suggestion
    assert page_k.input_value("#composer-input") == "hey @jay "
    page_k.type("#composer-input", "can you review https://example.com/pr/7?")
    page_k.press("#composer-input", "Enter")
    mention = bubble(page_j, "hey @jay")
    mention.wait_for()
    assert "mentions-me" in mention.get_attribute("class")
    assert mention.locator(".mention.self").inner_text() == "@jay"
    link = mention.locator("a")
    assert link.get_attribute("href") == "https://example.com/pr/7"
    assert link.get_attribute("rel") == "noopener noreferrer"
    # Read in the open room, so read in the panel too (issue 24); elsewhere it waits there.
    page_j.locator("#notifications-list .notification:not(.unread)", has_text="hey @jay").wait_for(
        state="attached"
    )
    assert page_j.locator("#notifications-badge").is_hidden()
    page_j.goto(server.base + "/#global")
    page_j.locator("#room-title", has_text="Global").wait_for()
    send(page_k, "@jay one more thing")
    page_j.locator("#notifications-badge", has_text="1").wait_for()
    page_j.click("#notifications-button")
    page_j.locator("#notifications-list .notification.unread", has_text="one more thing").wait_for()
    page_j.click("#read-all-button")
    page_j.locator("#notifications-badge").wait_for(state="hidden")
    assert page_j.locator("#notifications-list .notification.unread").count() == 0


def seed_showcase(server):
    """A believable morning in a small team, for the screenshots."""
    mei = register(server, "mei", "Mei Lin")
    sam = register(server, "sam", "Sam Okafor")
    lena = register(server, "lena", "Lena Fischer")
    launch = open_room(server, mei, "product-launch", sam, lena)
    for name in ("design", "engineering", "random"):
        open_room(server, lena, name, sam, mei)
    rid = launch["id"]

    def say(who, text, **extra):
        status, body = server.api(
            "POST", f"/api/chat/rooms/{rid}/messages/", {"content": text, **extra}, who.token
        )
        assert status == 201, body
        return body

    first = say(
        mei,
        "Morning all! The launch checklist is in the shared doc — please tick your items by 3pm.",
    )
    say(lena, "Landing page copy is final: https://intranet.example/launch/copy")
    say(lena, "Hero image for the homepage, feedback welcome")
    upload(server, lena.token, rid, "homepage-hero.png", "image/png", png(320, 180))
    ask = say(sam, "Looks great! @mei do we still need the press kit PDF?")
    server.api("POST", f"/api/chat/messages/{ask['id']}/read/", {}, sam.token)
    say(mei, "Yes — here is the draft, comments in the margins please", reply_to=ask["id"])
    upload(
        server,
        mei.token,
        rid,
        "press-kit-draft.pdf",
        "application/pdf",
        b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n" + b" " * 48_000,
    )
    say(lena, "@sam can you double-check the pricing table on mobile before we ship?")
    for who, emoji in ((sam, "👍"), (lena, "👍"), (lena, "🎉")):
        server.api(
            "POST", f"/api/chat/messages/{first['id']}/reactions/", {"emoji": emoji}, who.token
        )
    status, direct = server.api("POST", "/api/chat/direct/", {"username": "sam"}, mei.token)
    assert status in (200, 201), direct
    server.api(
        "POST",
        f"/api/chat/rooms/{direct['id']}/messages/",
        {"content": "Lunch at 12:30?"},
        mei.token,
    )
    return mei, sam, launch


def test_showcase_desktop_phone_and_chinese_interface(server, open_page):
    mei, sam, launch = seed_showcase(server)
    page_m = open_page(mei)
    go_to(page_m, server, launch)
    page = open_page(sam)
    go_to(page, server, launch)
    divider = page.locator("#message-list .new-divider")
    assert divider.inner_text().lower() == "new messages"  # where sam stopped reading
    page.click("#members-button")
    page.locator("#member-list .member.online", has_text="Mei Lin").wait_for()
    page_m.type("#composer-input", "On it")
    page.locator("#typing-line", has_text="Mei Lin is typing").wait_for()
    page.wait_for_function("() => [...document.images].every(img => img.complete)")
    publish(screenshot(page, "desktop-chat"), "screenshot-desktop.png")

    page.select_option("#language-select", "zh")
    page.locator(".section-head h2", has_text="房间").wait_for()
    assert page.get_attribute("#composer-input", "placeholder") == "发送消息到 product-launch"
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    publish(screenshot(page, "desktop-chat-zh"), "screenshot-zh.png")
    page.select_option("#language-select", "en")

    phone = open_page(sam, width=390, height=844)
    go_to(phone, server, launch)
    assert not phone.locator("#sidebar").is_visible() or phone.evaluate(
        "document.querySelector('#sidebar').getBoundingClientRect().right <= 0"
    )
    phone.wait_for_function("() => [...document.images].every(img => img.complete)")
    publish(screenshot(phone, "phone-chat"), "screenshot-phone.png")
    phone.click("#open-sidebar")
    phone.locator("#room-list .room-link", has_text="design").wait_for()
    phone.wait_for_timeout(300)  # the drawer's slide-in
    screenshot(phone, "phone-sidebar")


def test_server_errors_follow_the_chosen_language(server, open_page):
    page = open_page(locale="en-US")
    page.select_option("#auth-language", "zh")
    page.locator("#auth-submit", has_text="登录").wait_for()
    page.fill("#auth-username", "nobody")
    page.fill("#auth-password", "wrong password")
    page.click("#auth-submit")
    page.locator("#auth-error", has_text="用户名或密码错误").wait_for()
    page.reload()
    page.locator("#auth-submit", has_text="登录").wait_for()  # the choice is remembered


def test_rooms_are_created_browsed_joined_left_and_private_ones_invited_to(server, open_page):
    nia = register(server, "nia", "Nia")
    omar = register(server, "omar", "Omar")
    page_n, page_o = open_page(nia), open_page(omar)
    page_n.click("#create-room-button")
    page_n.locator("dialog[open]").get_by_label("Room name").fill("book-club")
    page_n.locator("dialog[open]").get_by_role("button", name="Create").click()
    page_n.locator("#room-title", has_text="book-club").wait_for()

    page_o.click("#browse-button")
    row = page_o.locator(".browse-item", has_text="book-club")
    row.get_by_role("button", name="Join").click()
    page_o.locator("#room-title", has_text="book-club").wait_for()
    page_n.locator("#member-list .member.online", has_text="Omar").wait_for(state="attached")
    page_o.click("#leave-button")
    page_o.get_by_role("alertdialog").get_by_role("button", name="Leave room").click()
    page_o.locator("#room-title", has_text="Global").wait_for()
    assert page_o.locator("#room-list .room-link", has_text="book-club").count() == 0

    page_n.click("#create-room-button")
    page_n.locator("dialog[open]").get_by_label("Room name").fill("secret-plans")
    page_n.locator("dialog[open]").get_by_label("Who can see it").select_option("private")
    page_n.locator("dialog[open]").get_by_role("button", name="Create").click()
    page_n.locator("#room-title", has_text="secret-plans").wait_for()
    page_n.click("#invite-button")
    page_n.locator("dialog[open]").get_by_label("Username").fill("omar")
    page_n.locator("dialog[open]").get_by_role("button", name="Invite").click()
    page_o.locator("#notifications-badge", has_text="1").wait_for()  # live, no reload
    page_o.click("#notifications-button")
    invitation = page_o.locator("#notifications-list .notification.unread", has_text="secret-plans")
    invitation.get_by_role("button", name="Accept").click()
    page_o.locator("#room-title", has_text="secret-plans").wait_for()  # joined
    page_o.locator("#room-list .room-link", has_text="secret-plans").wait_for()

    page_o.click("#new-direct-button")
    page_o.locator("dialog[open]").get_by_label("Username").fill("nia")
    page_o.locator("dialog[open]").get_by_role("button", name="Start").click()
    page_o.locator("#room-title", has_text="nia").wait_for()
    send(page_o, "coffee later?")
    badge = page_n.locator("#direct-list .room-link", has_text="omar").locator(".badge")
    badge.wait_for()  # unread elsewhere, live
    assert badge.inner_text() == "1"
    page_n.wait_for_function("() => document.title.startsWith('(1) ')")


def test_uploads_show_progress_and_clear_errors(server, open_page):
    pat = register(server, "pat", "Pat")
    room = open_room(server, pat, "files")
    page = open_page(pat)
    go_to(page, server, room)
    page.set_input_files(
        "#file-input",
        files=[
            {
                "name": "setup.exe",
                "mimeType": "application/octet-stream",
                "buffer": b"MZ" + b"\0" * 100,
            }
        ],
    )
    page.locator("#upload-tray .upload-error", has_text="not a supported file type").wait_for()
    page.get_by_role("button", name="Dismiss").click()
    page.locator("#upload-tray").wait_for(state="hidden")
    page.set_input_files(
        "#file-input",
        files=[
            {"name": "huge.png", "mimeType": "image/png", "buffer": b"\0" * (10 * 1024 * 1024 + 1)}
        ],
    )
    page.locator("#upload-tray .upload-error", has_text="too large").wait_for()
    page.get_by_role("button", name="Dismiss").click()
    # A slow link: the progress bar moves while the bytes go up.
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 20, "downloadThroughput": -1, "uploadThroughput": 300_000},
    )
    page.set_input_files(
        "#file-input",
        files=[
            {
                "name": "minutes.txt",
                "mimeType": "text/plain",
                "buffer": b"minutes of the meeting\n" * 30_000,
            }
        ],
    )
    page.wait_for_function("""() => {
        const bar = document.querySelector("#upload-tray progress");
        return bar && bar.value > 0 && bar.value < 100;
    }""")
    page.locator("#message-list .file-card", has_text="minutes.txt").wait_for(timeout=15_000)
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
    )
    # Drag-and-drop and paste go through the same path as the picker.
    page.evaluate(
        """async (bytes) => {
        const transfer = new DataTransfer();
        transfer.items.add(new File([new Uint8Array(bytes)], "dropped.png", {type: "image/png"}));
        const main = document.querySelector("#main");
        main.dispatchEvent(new DragEvent("dragenter", {dataTransfer: transfer, bubbles: true}));
        main.dispatchEvent(new DragEvent("drop", {dataTransfer: transfer, bubbles: true}));
    }""",
        list(png(40, 30)),
    )
    page.locator("#message-list img.thumb[alt='dropped.png']").wait_for()
    page.locator("#drop-overlay").wait_for(state="hidden")
    page.evaluate(
        """(text) => {
        const transfer = new DataTransfer();
        transfer.items.add(new File([text], "pasted.txt", {type: "text/plain"}));
        const input = document.querySelector("#composer-input");
        const paste = {clipboardData: transfer, bubbles: true, cancelable: true};
        input.dispatchEvent(new ClipboardEvent("paste", paste));
    }""",
        "from the clipboard",
    )
    page.locator("#message-list .file-card", has_text="pasted.txt").wait_for()
    page.locator("#message-list .msg").first.wait_for()
    page.locator("#message-list img.thumb[alt='dropped.png']").click()
    page.locator("#lightbox[open] #lightbox-img").wait_for()
    page.keyboard.press("Escape")
    page.locator("#lightbox").wait_for(state="hidden")


HIDDEN_TAB_WITH_NOTIFICATIONS = """
    Object.defineProperty(document, "hidden", {get: () => true});
    window.shown = [];
    window.Notification = class {
        static permission = "granted";
        static requestPermission() { return Promise.resolve("granted"); }
        constructor(title, options) { window.shown.push([title, options.body]); }
        close() {}
    };
"""


def test_a_hidden_tab_raises_desktop_notifications_for_direct_messages_and_mentions(
    server, open_page
):
    quinn = register(server, "quinn", "Quinn")
    rosa = register(server, "rosa", "Rosa")
    room = open_room(server, quinn, "support", rosa)
    page = open_page(quinn)
    page.context.add_init_script(HIDDEN_TAB_WITH_NOTIFICATIONS)
    go_to(page, server, room)
    page.reload()
    page.locator("#message-list .beginning, #message-list .msg").first.wait_for()
    status, direct = server.api("POST", "/api/chat/direct/", {"username": "quinn"}, rosa.token)
    assert status in (200, 201)
    server.api(
        "POST",
        f"/api/chat/rooms/{direct['id']}/messages/",
        {"content": "are you free?"},
        rosa.token,
    )
    server.api(
        "POST",
        f"/api/chat/rooms/{room['id']}/messages/",
        {"content": "@quinn ticket 42 is yours"},
        rosa.token,
    )
    server.api(
        "POST",
        f"/api/chat/rooms/{room['id']}/messages/",
        {"content": "no mention here"},
        rosa.token,
    )
    page.wait_for_function("() => window.shown.length >= 2")
    page.wait_for_timeout(300)
    bodies = [body for _, body in page.evaluate("window.shown")]
    assert "are you free?" in bodies
    assert any("ticket 42" in body for body in bodies)
    assert not any("no mention here" in body for body in bodies)
    assert page.title().startswith("(")  # unread shows in the tab title


def test_a_room_admin_mutes_a_member_and_edits_the_room_for_everyone(server, open_page):
    una = register(server, "una", "Una")
    vic = register(server, "vic", "Vic")
    room = open_room(server, una, "announcements", vic)
    page_u, page_v = open_page(una), open_page(vic)
    go_to(page_u, server, room)
    go_to(page_v, server, room)
    page_u.click("#members-button")
    row = page_u.locator("#member-list .member", has_text="Vic")
    row.hover()
    row.get_by_role("button", name="Manage Vic").click()
    page_u.get_by_role("menuitem", name="Mute").click()
    row.locator(".role", has_text="muted").wait_for()
    page_v.locator("#composer-input[disabled]").wait_for()  # live, from member_updated
    assert page_v.get_attribute("#composer-input", "placeholder") == "You are muted in this room."
    page_u.click("#settings-button")
    page_u.locator("dialog[open]").get_by_label("Description").fill("Read-only for most of us")
    page_u.locator("dialog[open]").get_by_role("button", name="Save").click()
    page_v.locator("#room-description", has_text="Read-only for most of us").wait_for()
    assert page_v.locator("#settings-button").is_hidden()  # vic is not a room admin
