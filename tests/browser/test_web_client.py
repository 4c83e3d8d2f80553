"""The built-in web client in a real Chromium against a real server process."""
from __future__ import annotations

import re
import struct
import zlib

import pytest

from .conftest import PASSWORD, publish, register, screenshot

pytestmark = pytest.mark.browser
XSS = "<img src=x onerror=alert(1)>"


def png(width: int = 96, height: int = 64) -> bytes:
    """A small real PNG (a tea-coloured gradient), so the server's sniffing accepts it."""
    rows = b"".join(b"\x00" + b"".join(bytes((40 + x, 110 + y, 90)) for x in range(width))
                    for y in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows))
            + chunk(b"IEND", b""))


def message(page, text: str):
    return page.locator("#message-list .msg .content", has_text=text)


def send(page, text: str) -> None:
    page.fill("#composer-input", text)
    page.press("#composer-input", "Enter")
    message(page, text).last.wait_for()


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
    assert page.locator("#auth-error").inner_text().strip()      # the server's own words
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
    assert page.evaluate("JSON.parse(localStorage.getItem('teahouse.auth')).refresh_token")


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

    send(page_b, "Great, sharing the screenshot from yesterday")
    page_b.set_input_files("#file-input", files=[
        {"name": "mockup.png", "mimeType": "image/png", "buffer": png(160, 100)}])
    for page in (page_a, page_b):
        image = page.locator("#message-list img.thumb[alt='mockup.png']")
        image.wait_for()
        page.wait_for_function("img => img.complete && img.naturalWidth === 160", arg=image.element_handle())
    assert page_a.locator("#message-list .msg.own").count() >= 1
    assert not page_a.errors and not page_b.errors
