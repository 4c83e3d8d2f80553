"""Links name rooms as people write them: /#release opens the room called release, and a
name no room answers to is said, not replaced by Global in silence (issue 24 item 16)."""

from __future__ import annotations

import pytest

from .conftest import register
from .test_web_client import open_room

pytestmark = pytest.mark.browser


def arrive(page, server, link: str) -> None:
    """A link followed from elsewhere: a fresh page load at that address."""
    page.goto(server.base + "/static/favicon.svg")
    page.goto(f"{server.base}/{link}")
    page.locator("#message-list .beginning, #message-list .msg").first.wait_for()


def test_a_link_by_room_name_opens_that_room(server, open_page):
    alice = register(server, "alice")
    bob = register(server, "bob")
    release = open_room(server, alice, "release")
    notes = open_room(server, alice, "Release Notes")
    assert release["slug"] != "release"
    page = open_page(bob)
    arrive(page, server, "#release")
    page.locator("#room-title", has_text="release").wait_for()
    assert page.locator("#room-title").inner_text() == "release"
    assert page.evaluate("location.hash") == f"#{release['slug']}"  # the stable link from now on
    arrive(page, server, "#release-notes")
    page.locator("#room-title", has_text="Release Notes").wait_for()
    page.evaluate("location.hash = '#RELEASE'")  # a link inside the page
    page.locator("#room-title", has_text="release").wait_for()
    assert page.locator("#room-title").inner_text() == "release"
    assert page.evaluate("location.hash") == f"#{release['slug']}"
    assert notes["id"] != release["id"] and not page.errors


def test_a_name_no_room_answers_to_is_said(server, open_page):
    carol = register(server, "carol")
    dan = register(server, "dan")
    secret = open_room(server, carol, "secret")
    assert (
        server.api(
            "PATCH", f"/api/chat/rooms/{secret['id']}/", {"room_type": "private"}, carol.token
        )[0]
        == 200
    )
    page = open_page(dan)
    for link, name in (("#nowhere", "nowhere"), ("#secret", "secret"), ("#%E0%A4%A", None)):
        arrive(page, server, link)
        toast = page.locator("#toast")
        if name:
            toast.filter(has_text=f"“{name}”").wait_for()
        page.locator("#room-title", has_text="Global").wait_for()
        assert page.evaluate("location.hash") == "#global"
    page.evaluate("location.hash = '#elsewhere'")
    page.locator("#toast", has_text="“elsewhere”").wait_for()
    assert page.locator("#room-title").inner_text() == "Global" and not page.errors
