"""A real server subprocess and a real Chromium (Debian's, driven by Playwright).

The server runs as `python server.py --port P --data-dir D` so the browser tests see
exactly what a team sees, and can kill and restart it on the same port and data.
"""

from __future__ import annotations

import json
import os
import shutil
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.serverproc import ServerProcess

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHAT_TEST_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts"
PASSWORD = "correct horse"

try:
    from playwright import sync_api
except ImportError:  # the browser tests skip; the rest of the suite runs
    sync_api = None


class Server(ServerProcess):
    """One `server.py` process; restart() keeps the port and the data directory."""

    def __init__(self, data_dir: Path):
        super().__init__(
            data_dir,
            data_dir.parent / "server.log",
            CHAT_LANGUAGE="en",
            CHAT_ALLOW_REGISTRATION="1",
        )

    def api(self, method: str, path: str, body=None, token: str | None = None):
        data = None if body is None else json.dumps(body).encode()
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        request = urllib.request.Request(
            self.base + path, data=data, method=method, headers=headers
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as resp:
                return resp.status, json.loads(resp.read() or b"null")
        except urllib.error.HTTPError as err:
            with err:
                return err.code, json.loads(err.read() or b"null")


def upload(server: Server, token: str, room_id: int, name: str, mime: str, data: bytes) -> dict:
    """POST /api/chat/upload as a browser form would (multipart: file, room_id)."""
    boundary = "teahouse-test-boundary"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="room_id"\r\n\r\n{room_id}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            f"Content-Type: {mime}\r\n\r\n"
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    request = urllib.request.Request(
        server.base + "/api/chat/upload",
        data=body,
        method="POST",
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Type": f"multipart/form-data; boundary={boundary}",
        },
    )
    with urllib.request.urlopen(request, timeout=10) as resp:
        return json.loads(resp.read())


@dataclass
class Account:
    id: int
    username: str
    token: str


def register(server: Server, username: str, display_name: str | None = None) -> Account:
    body = {"username": username, "password": PASSWORD}
    if display_name:
        body["display_name"] = display_name
    status, answer = server.api("POST", "/api/auth/register", body)
    assert status == 201, answer
    return Account(answer["user"]["id"], username, answer["access_token"])


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    base = tmp_path_factory.mktemp("browser")
    process = Server(base / "data")
    process.start()
    yield process
    process.stop()


class SharedChromium:
    """One Chromium for consecutive browser test files in this process: a launch costs
    about 1.7 s of CPU (the driver and the browser), and every file got its own. Each
    test's pages live in contexts of their own (open_page closes them), so nothing a
    file did is seen by the next. It is closed as soon as the next test is not a browser
    test: Playwright's sync API keeps its event loop marked running between calls, which
    the asyncio tests of this process must not meet."""

    def __init__(self):
        self.playwright = None
        self.chromium = None

    def get(self):
        if self.chromium is None or not self.chromium.is_connected():
            self.close()
            self.playwright = sync_api.sync_playwright().start()
            self.chromium = self.playwright.chromium.launch(
                executable_path=CHROMIUM,
                args=[
                    "--headless",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-background-networking",
                ],
            )
        return self.chromium

    def close(self) -> None:
        if self.chromium is not None and self.chromium.is_connected():
            self.chromium.close()
        if self.playwright is not None:
            self.playwright.stop()
        self.playwright = self.chromium = None


shared_chromium = SharedChromium()
BROWSER_TESTS = Path(__file__).parent


@pytest.fixture(scope="module")
def browser():
    # Locally a missing browser skips these tests; in CI (scripts/test installs both)
    # it is a failure, so a broken install step cannot pass as green.
    give_up = pytest.fail if os.environ.get("CI") else pytest.skip
    if sync_api is None:
        give_up("playwright is not installed (requirements-dev.txt)")
    if not Path(CHROMIUM).exists():
        give_up(f"no Chromium at {CHROMIUM} (set CHAT_TEST_CHROMIUM)")
    return shared_chromium.get()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """After the module's fixtures are gone: the last browser test in a row closes it."""
    try:
        yield
    finally:
        if nextitem is None or BROWSER_TESTS not in nextitem.path.parents:
            shared_chromium.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture
def open_page(browser, server, request):
    """open_page(account=None, width=1280, height=800, locale="en-US") → a signed-in page
    (or the sign-in screen without an account); dialogs are recorded, never accepted."""
    contexts = []

    def open_(account: Account | None = None, width=1280, height=800, locale="en-US"):
        context = browser.new_context(viewport={"width": width, "height": height}, locale=locale)
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.dialogs = []
        page.errors = []
        page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
        page.on("pageerror", lambda error: page.errors.append(str(error)))
        if account is not None:
            page.goto(server.base + "/static/favicon.svg")
            page.evaluate(
                """async ([username, password]) => {
                const resp = await fetch("/api/auth/login", {method: "POST",
                    headers: {"Content-Type": "application/json"},
                    body: JSON.stringify({username, password})});
                if (!resp.ok) throw new Error(await resp.text());
            }""",
                [account.username, PASSWORD],
            )  # the login cookie, as the page's form gets it
        page.goto(server.base + "/")
        if account is not None:
            page.locator("#message-list .beginning, #message-list .msg").first.wait_for()
        return page

    yield open_
    failed = getattr(request.node, "report_call", None)
    for number, context in enumerate(contexts):
        if failed is not None and failed.failed:  # what each page showed, for the report
            for page in context.pages:
                screenshot(page, f"failed-{request.node.name}-{number}")
        context.close()


MESSAGE_POSTS = "**/api/chat/rooms/*/messages/"


def drop_message_posts(page, pattern: str = MESSAGE_POSTS) -> None:
    """The page is offline for sending: its message POSTs (to the paths of pattern) fail
    as with no network, everything else goes through; page.unroute(pattern) brings it back."""

    def unreachable(route):
        if route.request.method == "POST":
            route.abort("internetdisconnected")
        else:
            route.continue_()

    page.route(pattern, unreachable)


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path


def publish(path: Path, name: str) -> None:
    """Copy a screenshot next to the README (docs/), for the views worth showing.
    Only on request (CHAT_UPDATE_SCREENSHOTS=1): a plain test run leaves git clean."""
    if os.environ.get("CHAT_UPDATE_SCREENSHOTS") != "1":
        return
    docs = ROOT / "docs"
    docs.mkdir(exist_ok=True)
    shutil.copyfile(path, docs / name)
