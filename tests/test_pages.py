"""The web client's page and static files: headers, CSP-compatible markup, complete
translations, and no HTML built from strings in the client code."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
STATIC = ROOT / "static"
MODULES = sorted((STATIC / "js").glob("*.js"))


@pytest.mark.parametrize("path", ["/", "/admin"])
async def test_the_page_is_served_with_a_strict_content_security_policy(client, path):
    resp = await client.get(path)
    assert resp.status == 200
    assert resp.content_type == "text/html"
    csp = resp.headers["Content-Security-Policy"]
    for directive in (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ):
        assert directive in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert resp.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("path", ["/", "/admin"])
async def test_the_page_has_no_inline_script_style_or_handler(client, path):
    html = await (await client.get(path)).text()
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert 'src="/static/' in tag, tag
    assert not re.search(r"<script\b[^>]*>\s*[^<\s]", html)  # no inline code
    assert "<style" not in html
    assert not re.search(r"\sstyle=", html)
    assert not re.search(r"\son[a-z]+=", html)
    assert "http://" not in html and "https://" not in html  # nothing from a CDN


async def test_the_page_says_whether_sign_up_is_open(aiohttp_client, settings):
    from dataclasses import replace

    from chat.app import create_app

    closed = await aiohttp_client(create_app(replace(settings, allow_registration=False)))
    html = await (await closed.get("/")).text()
    assert 'data-registration="false"' in html


async def test_the_language_of_the_page_follows_the_request(client):
    html = await (await client.get("/", headers={"Accept-Language": "zh-CN,zh;q=0.9"})).text()
    assert '<html lang="zh-CN">' in html


@pytest.mark.parametrize(
    "path, kind",
    [
        ("/static/js/app.js", "application/javascript"),
        ("/static/app.css", "text/css"),
        ("/static/icons.svg", "image/svg+xml"),
        ("/static/favicon.svg", "image/svg+xml"),
    ],
)
async def test_static_files_are_served_with_their_types(client, path, kind):
    resp = await client.get(path)
    assert resp.status == 200
    assert resp.content_type == kind
    assert "Cache-Control" in resp.headers


async def test_static_files_cannot_escape_the_static_directory(client):
    resp = await client.get("/static/../server.py")
    assert resp.status in (403, 404)


def test_every_module_import_resolves():
    for module in MODULES:
        for target in re.findall(r'from\s+"(\./[^"]+)"', module.read_text()):
            assert (module.parent / target).is_file(), f"{module.name} imports {target}"


def test_client_code_never_builds_html_from_strings():
    for module in MODULES:
        code = "\n".join(
            line for line in module.read_text().splitlines() if not line.lstrip().startswith("//")
        )
        for sink in (
            "innerHTML",
            "outerHTML",
            "insertAdjacentHTML",
            "document.write",
            "eval(",
            "new Function",
        ):
            assert sink not in code, f"{module.name} uses {sink}"


def catalog() -> dict[str, set[str]]:
    """Every key per language, over i18n.js and the catalogues it merges (i18n_*.js)."""
    keys: dict[str, set[str]] = {}
    for path in sorted((STATIC / "js").glob("i18n*.js")):
        blocks = re.split(r"\n  (en|zh): \{", path.read_text())
        for i in range(1, len(blocks), 2):
            found = re.findall(r"([a-z_]+): \"", blocks[i + 1].split("\n  },")[0])
            keys.setdefault(blocks[i], set()).update(found)
    return keys


def test_every_label_exists_in_english_and_chinese():
    keys = catalog()
    assert keys["en"] == keys["zh"], keys["en"] ^ keys["zh"]
    used = set()
    html = "".join(page.read_text() for page in (ROOT / "templates").glob("*.html"))
    used |= set(re.findall(r'data-i18n(?:-placeholder|-label)?="([a-z_]+)"', html))
    for module in MODULES:
        used |= set(re.findall(r'\bt\("([a-z_]+)"', module.read_text()))
    assert used - keys["en"] == set()
