"""After the server comes back the page is back within seconds, not after its 15 s backoff
ceiling; while the server stays down the socket keeps backing off, and only a cheap probe
(/livez) asks now and then (issue 24 item 17)."""

from __future__ import annotations

import time

import pytest

from .conftest import register

pytestmark = pytest.mark.browser

BACK_WITHIN = 3.5  # seconds from the server answering to the page's socket being open


def wait_until(page, condition, timeout: float, what: str) -> None:
    """Playwright's sync API hands events over only while it is called: wait in it."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"no {what} within {timeout} s")
        page.wait_for_timeout(50)


def test_the_page_reconnects_soon_after_the_server_returns(server, open_page):
    alice = register(server, "alice")
    page = open_page(alice)
    sockets, probes = [], []
    page.on("websocket", lambda ws: sockets.append(time.monotonic()))
    page.on(
        "request",
        lambda request: request.url.endswith("/livez") and probes.append(time.monotonic()),
    )

    server.stop()
    page.locator("#connection-banner").wait_for()
    # The fifth attempt's failure starts a wait of 7.5-15 s (the backoff's ceiling).
    wait_until(page, lambda: len(sockets) >= 5, 40, "fifth reconnect attempt")
    outage_attempts = len(sockets)
    page.wait_for_timeout(500)  # refused, the long wait has begun
    server.start()
    back = time.monotonic()
    page.locator("#connection-banner").wait_for(state="hidden", timeout=20_000)
    waited = time.monotonic() - back
    assert waited < BACK_WITHIN, f"the page came back {waited:.1f} s after the server"
    assert outage_attempts <= 6, f"{outage_attempts} socket attempts: the backoff was not kept"
    assert 1 <= len(probes) <= 20, probes

    page.fill("#composer-input", "back again")
    page.press("#composer-input", "Enter")
    page.locator("#message-list .msg[id^='m-']", has_text="back again").wait_for()
