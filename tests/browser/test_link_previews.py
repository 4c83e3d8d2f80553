"""A pasted link grows a preview card live, with the server's own copy of the page's
image, and its author removes it with one click (issue 29 item 2). The linked site is a
loopback server; the server under test dials it only because CHAT_OUTBOUND_ALLOW_HOSTS
names `localhost`."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.websites import OG_PAGE, png

from .conftest import Server, register
from .test_web_client import go_to, open_room

pytestmark = pytest.mark.browser


class Site(BaseHTTPRequestHandler):
    picture = png()

    def do_GET(self):  # noqa: N802 (http.server's name)
        if self.path == "/img.png":
            body, kind = self.picture, "image/png"
        else:
            body, kind = OG_PAGE.format(image="/img.png").encode(), "text/html; charset=utf-8"
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def site():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Site)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://localhost:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    process = Server(tmp_path_factory.mktemp("previews") / "data")
    process.env["CHAT_OUTBOUND_ALLOW_HOSTS"] = "localhost"
    process.start()
    yield process
    process.stop()


def test_a_preview_appears_live_and_its_author_removes_it(server, site, open_page):
    wei = register(server, "wei")
    lin = register(server, "lin")
    room = open_room(server, wei, "links", lin)
    page = open_page(wei)
    go_to(page, server, room)
    reader = open_page(lin, locale="zh-CN")
    go_to(reader, server, room)
    page.fill("#composer-input", f"the docs: {site}/og")
    page.press("#composer-input", "Enter")
    card = page.locator(".msg .preview-card")
    card.wait_for()
    assert card.locator(".preview-title").inner_text() == "Teahouse & friends"
    assert card.locator(".preview-site").inner_text() == "Teahouse Docs"
    image = card.locator("img.preview-image")
    assert image.get_attribute("src").startswith("/previews/")  # our origin, not the site's
    page.wait_for_function("document.querySelector('img.preview-image').naturalWidth > 0")
    reader.locator(".msg .preview-card").wait_for()
    assert reader.locator(".preview-remove").count() == 0  # not the reader's message
    page.locator(".preview-remove", has_text="Remove previews").click()
    card.wait_for(state="detached")
    reader.locator(".msg .preview-card").wait_for(state="detached")
    assert not page.errors and not reader.errors


def test_the_remove_button_speaks_chinese(server, site, open_page):
    mei = register(server, "mei")
    room = open_room(server, mei, "链接")
    status, _ = server.api(
        "POST", f"/api/chat/rooms/{room['id']}/messages/", {"content": f"{site}/og"}, mei.token
    )
    assert status == 201
    page = open_page(mei, locale="zh-CN")
    go_to(page, server, room)
    page.locator(".preview-remove", has_text="移除预览").wait_for()


def test_a_room_admin_turns_previews_off_in_room_settings(server, site, open_page):
    ren = register(server, "ren")
    room = open_room(server, ren, "quiet")
    page = open_page(ren)
    go_to(page, server, room)
    page.click("#settings-button")
    dialog = page.locator("dialog[open]")
    box = dialog.locator("input[name=link_previews]")
    assert box.is_checked()
    box.uncheck()
    dialog.get_by_role("button", name="Save").click()
    dialog.wait_for(state="detached")
    status, seen = server.api("GET", f"/api/chat/rooms/{room['id']}/", token=ren.token)
    assert status == 200 and seen["link_previews"] is False
    page.fill("#composer-input", f"{site}/og")
    page.press("#composer-input", "Enter")
    page.locator(".msg .content", has_text="/og").wait_for()
    page.wait_for_timeout(1500)
    assert page.locator(".preview-card").count() == 0 and not page.errors
