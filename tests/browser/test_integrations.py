"""Integrations in a real Chromium: a room admin makes a webhook in room settings,
a CI script posts to it, and the message shows live with its bot mark."""

from __future__ import annotations

import urllib.request

import pytest

from .conftest import register

pytestmark = pytest.mark.browser


def curl(url: str, body: bytes) -> tuple[int, str, str]:
    """What `curl -d BODY URL` does: a POST labelled as a form."""
    request = urllib.request.Request(
        url, data=body, method="POST", headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    with urllib.request.urlopen(request, timeout=10) as resp:
        return resp.status, resp.headers.get_content_type(), resp.read().decode()


def test_a_room_admin_adds_a_webhook_and_its_message_shows_live_as_a_bot(server, open_page):
    owner = register(server, "hookowner", "Hook Owner")
    status, room = server.api("POST", "/api/chat/rooms/", {"name": "builds"}, owner.token)
    assert status == 201
    page = open_page(owner)
    page.goto(f"{server.base}/#{room['slug']}")
    page.locator("#room-title", has_text="builds").wait_for()
    page.click("#settings-button")
    section = page.locator("dialog .integrations")
    section.locator(".muted", has_text="No webhooks yet").wait_for()
    section.locator("input[name=hook_name]").fill("Jenkins")
    section.locator("button[type=submit]").click()
    url = section.locator("input.hook-url").input_value()
    assert url.startswith(server.base + "/hooks/")
    section.locator(".hook .hook-name", has_text="Jenkins").wait_for()
    section.locator(".hook button", has_text="Rename").click()
    rename = page.locator("dialog[aria-label='Rename']")
    rename.locator("input[name=name]").fill("Jenkins CI")
    rename.locator("button[type=submit]").click()
    section.locator(".hook .hook-name", has_text="Jenkins CI").wait_for()
    page.keyboard.press("Escape")

    assert curl(url, b'{"text":"build 42 passed"}') == (200, "text/plain", "ok")
    bubble = page.locator("#message-list .msg", has_text="build 42 passed")
    bubble.wait_for()
    assert bubble.locator(".author").inner_text() == "Jenkins CI"
    assert bubble.locator(".bot-mark").inner_text() == "bot"
    # a per-message name ("username") starts its own group, with that name shown
    assert curl(url, b'{"text":"disk full","username":"Alertmanager"}')[2] == "ok"
    alert = page.locator("#message-list .msg", has_text="disk full")
    alert.wait_for()
    assert "continued" not in alert.get_attribute("class")
    assert alert.locator(".author").is_visible()
    assert alert.locator(".author").inner_text() == "Alertmanager"
    assert not page.errors


def test_the_api_docs_render_offline_under_their_csp(server, open_page):
    page = open_page()
    violations = []
    page.on(
        "console",
        lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    outside = []
    page.on(
        "request",
        lambda req: (
            outside.append(req.url)
            if not req.url.startswith(server.base) and not req.url.startswith("data:")
            else None
        ),
    )
    page.goto(server.base + "/api/docs")
    page.locator(".swagger-ui .info .title", has_text="Teahouse").wait_for()
    page.locator(".opblock-tag", has_text="webhooks").wait_for()
    page.locator(".opblock-summary-path", has_text="/hooks/{key}").first.wait_for()
    assert page.locator(".opblock").count() >= 60
    assert not page.errors and not violations and not outside


def test_a_hook_whose_creator_may_not_post_shows_as_paused(server, open_page):
    owner = register(server, "pauseowner", "Pause Owner")
    maker = register(server, "hookmaker", "Hook Maker")
    status, room = server.api("POST", "/api/chat/rooms/", {"name": "deploys"}, owner.token)
    server.api("POST", f"/api/chat/rooms/{room['id']}/join/", {}, maker.token)
    member = f"/api/chat/rooms/{room['id']}/members/{maker.id}/"
    assert server.api("PATCH", member, {"role": "admin"}, owner.token)[0] == 200
    status, hook = server.api(
        "POST", f"/api/chat/rooms/{room['id']}/hooks/", {"name": "Argo"}, maker.token
    )
    assert status == 201, hook
    assert server.api("PATCH", member, {"is_muted": True}, owner.token)[0] == 200
    page = open_page(owner)
    page.goto(f"{server.base}/#{room['slug']}")
    page.locator("#room-title", has_text="deploys").wait_for()
    page.click("#settings-button")
    row = page.locator("dialog .integrations .hook", has_text="Argo")
    row.locator(".hook-inactive", has_text="Paused").wait_for()
