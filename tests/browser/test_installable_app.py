"""The installable web app in Chromium: the manifest and its icons, the service worker
that registers and opens the page offline, Chromium's own installability verdict, the
app badge, the profile's devices list, and "#room/message" links (a push's click)."""

from __future__ import annotations

import pytest

from .conftest import register
from .test_web_client import open_room

pytestmark = pytest.mark.browser

BADGE_SPY = """
window.__badges = [];
navigator.setAppBadge = (n) => { window.__badges.push(n); return Promise.resolve(); };
navigator.clearAppBadge = () => { window.__badges.push(0); return Promise.resolve(); };
"""


@pytest.fixture(scope="module")
def kim(server):
    register(server, "pwa_admin")
    return register(server, "kim", "Kim")


def test_the_manifest_and_its_icons_load(server, open_page, kim):
    page = open_page(kim)
    manifest = page.evaluate("""async () => {
        const link = document.querySelector("link[rel=manifest]");
        const resp = await fetch(link.href);
        return {type: resp.headers.get("content-type"), body: await resp.json()};
    }""")
    assert manifest["type"].startswith("application/manifest+json")
    body = manifest["body"]
    assert body["display"] == "standalone" and body["start_url"] == "/" and body["theme_color"]
    sizes = page.evaluate(
        """async (icons) => Promise.all(icons.filter((i) => i.type === "image/png")
        .map((i) => new Promise((ok, fail) => {
            const img = new Image();
            img.onload = () => ok(`${img.naturalWidth}x${img.naturalHeight}`);
            img.onerror = () => fail(new Error(i.src));
            img.src = i.src;
        })))""",
        body["icons"],
    )
    assert sorted(sizes) == ["192x192", "512x512", "512x512"]
    assert {i.get("purpose") for i in body["icons"]} >= {"maskable"}
    assert not page.errors


def test_the_service_worker_registers_and_chromium_finds_the_app_installable(
    server, open_page, kim
):
    page = open_page(kim)
    script = page.evaluate("""async () => {
        const registration = await navigator.serviceWorker.ready;
        return registration.active.scriptURL;
    }""")
    assert script == server.base + "/sw.js"
    page.reload()
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    cdp = page.context.new_cdp_session(page)
    assert cdp.send("Page.getAppManifest")["errors"] == []
    # Playwright's contexts are incognito, where Chromium never installs: every other
    # criterion (manifest fields, icons, a worker with a fetch handler) must pass.
    errors = [
        e
        for e in cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
        if e["errorId"] != "in-incognito"
    ]
    assert errors == [], errors
    assert not page.errors


def test_the_page_opens_offline_from_the_shell_and_says_it_is_offline(server, open_page, kim):
    page = open_page(kim)
    page.evaluate("async () => { await navigator.serviceWorker.ready; }")
    page.reload()
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    page.locator("#message-list .beginning, #message-list .msg").first.wait_for()
    page.context.set_offline(True)
    try:
        page.reload()
        page.locator("#connection-banner").wait_for(state="visible")
        assert page.locator("#app").is_visible() or page.locator("#composer").count() == 1
    finally:
        page.context.set_offline(False)


def test_the_app_badge_carries_the_unread_count(server, open_page, kim):
    lee = register(server, "lee", "Lee")
    here = open_room(server, kim, "badge-here")
    elsewhere = open_room(server, lee, "badge-elsewhere", kim)
    page = open_page(kim)
    page.add_init_script(BADGE_SPY)
    page.goto(f"{server.base}/#{here['slug']}")
    page.reload()  # the spy is in from this load on
    page.locator("#room-title", has_text="badge-here").wait_for()
    for text in ("one", "two"):
        status, _ = server.api(
            "POST", f"/api/chat/rooms/{elsewhere['id']}/messages/", {"content": text}, lee.token
        )
        assert status == 201
    page.wait_for_function("() => window.__badges.includes(2)")


def test_a_room_and_message_link_opens_that_room(server, open_page, kim):
    room = open_room(server, kim, "linked")
    ids = []
    for n in range(3):
        status, message = server.api(
            "POST",
            f"/api/chat/rooms/{room['id']}/messages/",
            {"content": f"linked message {n}"},
            kim.token,
        )
        ids.append(message["id"])
    page = open_page(kim)
    page.goto(f"{server.base}/#{room['id']}/{ids[1]}")
    page.locator("#room-title", has_text="linked").wait_for()
    page.locator(f"#m-{ids[1]}").wait_for()


def test_the_profile_lists_devices_and_offers_push_on_this_one(server, open_page, kim):
    page = open_page(kim)
    page.click(".me-box .profile-button")
    section = page.locator("dialog[open] fieldset.devices")
    section.wait_for()
    section.locator("[role=status]", has_text="No device").wait_for()
    assert section.locator("#push-enable").is_visible()
    assert not page.errors
