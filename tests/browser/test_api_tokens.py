"""The API tokens dialog: create (shown once), list, revoke, in a real Chromium."""

from __future__ import annotations

import pytest

from .conftest import register, screenshot

pytestmark = pytest.mark.browser


def test_a_token_is_created_shown_once_used_and_revoked_from_the_page(server, open_page):
    wes = register(server, "wes")
    page = open_page(wes)
    page.click("#api-tokens-button")
    dialog = page.locator("dialog.modal[open]")
    dialog.locator("text=No tokens yet.").wait_for()
    dialog.get_by_placeholder("Token name").fill("nightly backup")
    dialog.locator("select[name=days]").select_option("30")
    dialog.get_by_role("button", name="Create token").click()
    secret = dialog.locator(".token-secret").input_value()
    assert secret.startswith("th_")
    dialog.locator(".browse-item", has_text="nightly backup").wait_for()
    screenshot(page, "api-tokens")
    status, me = server.api("GET", "/api/auth/me", None, secret)
    assert status == 200 and me["username"] == "wes"
    # Shown once: a reopened dialog lists the token by its hint only.
    page.keyboard.press("Escape")
    page.click("#api-tokens-button")
    item = page.locator("dialog.modal[open] .browse-item", has_text="nightly backup")
    item.wait_for()
    assert secret not in page.content() and secret[:7] in item.inner_text()
    item.get_by_role("button", name="Revoke").click()
    page.locator("dialog[role=alertdialog]").get_by_role("button", name="Revoke").click()
    page.locator("dialog.modal[open]", has_text="No tokens yet.").wait_for()
    assert server.api("GET", "/api/auth/me", None, secret)[0] == 401
    assert not page.errors
