"""A loopback web site for the outbound door's tests: pages with OpenGraph tags, huge and
slow bodies, redirects anywhere, other content types, a real picture and a script that
claims to be one. It counts hits per path. Test names resolve through a resolver hook
(never DNS): TEST_HOSTS names point at loopback; anything else is unresolvable."""

from __future__ import annotations

import asyncio
import io
import ipaddress
from collections import Counter

import pytest
from aiohttp import web
from PIL import Image

from chat.outbound.address import Refused
from tests.test_push import guard  # noqa: F401 (the dial guard fixture, shared)

ALLOWED_HOST = "preview.test"  # named in outbound_allow_hosts by the tests
SNEAKY_HOST = "sneaky.test"  # also resolves to loopback, but nobody allowed it
TEST_HOSTS = {ALLOWED_HOST: "127.0.0.1", SNEAKY_HOST: "127.0.0.1"}
OG_PAGE = """<!doctype html><html><head><meta charset="utf-8">
<title>Fallback title</title>
<meta property="og:title" content="Teahouse &amp; friends">
<meta property="og:description" content="  A chat   server
 for teams. 团队聊天 ">
<meta property="og:site_name" content="Teahouse Docs">
<meta name="twitter:title" content="ignored: OpenGraph wins">
<meta property="og:image" content="{image}">
</head><body><p>Hello</p><meta property="og:title" content="after the head"></body></html>"""


async def hosts_resolver(host: str, port: int) -> list:
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    if host.lower().rstrip(".") in TEST_HOSTS:
        return [ipaddress.ip_address(TEST_HOSTS[host.lower().rstrip(".")])]
    raise Refused("unresolvable")


def png(width: int = 900, height: int = 600) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 40, 40)).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
async def site(aiohttp_server, guard):  # noqa: F811 (guard is the fixture above)
    """The site on loopback; site.at(path) is its URL under ALLOWED_HOST."""
    hits: Counter = Counter()
    server = await aiohttp_server(site_app(hits))
    server.hits = hits
    server.at = lambda path, host=ALLOWED_HOST: f"http://{host}:{server.port}{path}"
    return server


def site_app(hits: Counter) -> web.Application:
    async def count(request, handler):
        hits[request.path] += 1
        return await handler(request)

    app = web.Application(middlewares=[web.middleware(count)])
    picture = png()

    def page(image: str):
        async def handle(request):
            return web.Response(text=OG_PAGE.format(image=image), content_type="text/html")

        return handle

    async def image(request):
        return web.Response(body=picture, content_type="image/png")

    async def script(request):
        return web.Response(
            body=b"<script>alert(document.cookie)</script>", content_type="image/png"
        )

    async def huge(request):
        resp = web.StreamResponse(headers={"Content-Type": "text/html"})
        await resp.prepare(request)
        head = OG_PAGE.format(image="/img.png").split("<body>")[0].encode()
        await resp.write(head)
        for _ in range(80):  # 5 MB more, never all read
            await resp.write(b"<p>" + b"x" * 65536 + b"</p>")
        return resp

    async def slow(request):
        resp = web.StreamResponse(headers={"Content-Type": "text/html"})
        await resp.prepare(request)
        await resp.write(b"<html><head>")
        await asyncio.sleep(30)
        return resp

    async def unhurried(request):
        await asyncio.sleep(0.5)
        return web.Response(text=OG_PAGE.format(image="/img.png"), content_type="text/html")

    async def redirect(request):
        raise web.HTTPFound(request.query["to"])

    async def loop(request):
        raise web.HTTPFound("/loop")

    async def json_page(request):
        return web.json_response({"title": "not html"})

    async def bot(request):
        return web.json_response({"text": "pong"})

    app.router.add_get("/og", page("/img.png"))
    app.router.add_get("/og-script", page("/script.png"))
    app.router.add_get("/og-away", page("http://169.254.169.254/latest/meta-data/pic.png"))
    app.router.add_get("/img.png", image)
    app.router.add_get("/script.png", script)
    app.router.add_get("/huge", huge)
    app.router.add_get("/slow", slow)
    app.router.add_get("/unhurried", unhurried)
    app.router.add_get("/redirect", redirect)
    app.router.add_get("/loop", loop)
    app.router.add_get("/json", json_page)
    app.router.add_post("/bot", bot)
    return app
