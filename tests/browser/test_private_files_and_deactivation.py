"""Issue 24 in the browser: a private room's picture shows and its file downloads on the
page while the bare link is refused to anyone else (item 1); a deactivated user is told
why they were signed out, in English and Chinese (item 8)."""

from __future__ import annotations

import urllib.error
import urllib.request

import pytest

from .conftest import register, upload
from .test_web_client import go_to, png

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def admin(server):
    """The module's first user: the site admin."""
    return register(server, "root")


def status_without_credentials(server, url: str) -> int:
    try:
        with urllib.request.urlopen(server.base + url, timeout=10) as resp:
            return resp.status
    except urllib.error.HTTPError as err:
        with err:
            return err.code


def test_a_private_room_s_picture_shows_and_its_file_downloads_only_for_members(
    server, open_page, admin, tmp_path
):
    owner, member = register(server, "mira"), register(server, "noor")
    status, room = server.api(
        "POST", "/api/chat/rooms/", {"name": "board", "room_type": "private"}, owner.token
    )
    assert status == 201, room
    server.api("POST", f"/api/chat/rooms/{room['id']}/invite/", {"username": "noor"}, owner.token)
    server.api("POST", f"/api/chat/rooms/{room['id']}/join/", {}, member.token)
    picture = upload(server, owner.token, room["id"], "plan.png", "image/png", png(120, 80))
    notes = upload(
        server, owner.token, room["id"], "notes.txt", "text/plain", b"quarterly numbers\n"
    )
    bare = picture["file_url"].partition("?")[0]
    assert status_without_credentials(server, bare) == 401
    assert status_without_credentials(server, notes["file_url"].partition("?")[0]) == 401

    page = open_page(member)
    go_to(page, server, room)
    image = page.locator("#message-list img.thumb[alt='plan.png']")
    image.wait_for()
    page.wait_for_function(
        "img => img.complete && img.naturalWidth === 120", arg=image.element_handle()
    )
    with page.expect_download() as download:
        page.locator("#message-list .file-card", has_text="notes.txt").locator(
            ".file-download"
        ).click()
    target = tmp_path / "notes.txt"
    download.value.save_as(target)
    assert target.read_bytes() == b"quarterly numbers\n"
    # the page's cookie alone opens the bare path for a member, never for an outsider
    assert page.evaluate("url => fetch(url).then(r => r.status)", bare) == 200
    outsider = open_page(register(server, "omar"))
    assert outsider.evaluate("url => fetch(url).then(r => r.status)", bare) == 404
    assert not page.errors


@pytest.mark.parametrize(
    "locale, notice",
    [
        ("en-US", "This account has been deactivated"),
        ("zh-CN", "该账号已被管理员停用"),
    ],
)
def test_a_deactivated_user_is_told_why_they_were_signed_out(
    server, open_page, admin, locale, notice
):
    person = register(server, f"leaving-{locale[:2]}")
    page = open_page(person, locale=locale)
    status, _ = server.api(
        "PATCH", f"/api/chat/admin/users/{person.id}/", {"is_active": False}, admin.token
    )
    assert status == 200
    page.locator("#auth-notice", has_text=notice).wait_for()  # live: the socket closed
    assert page.locator("#auth-view").is_visible()
    page.reload()  # and after a reload
    page.locator("#auth-notice", has_text=notice).wait_for()
    assert not page.errors
