"""The installable web app: its manifest, and the service worker that keeps the page's
shell for offline starts, shows Web Pushes and opens the room a push is about.

The worker is served from the root (its scope is the whole site) with the list of shell
files and a version made from their contents, so a changed file means a new worker and a
fresh cache. Messages are never cached: they come only from the server.
"""

from __future__ import annotations

import hashlib
import json

from aiohttp import web

from chat.web.pages import STATIC

THEME = "#2f5d50"
BACKGROUND = "#fbfaf7"
SHELL_FILES = ["app.css", "threads.css", "favicon.svg", "icons.svg", "icons/icon-192.png"] + sorted(
    f"js/{path.name}" for path in (STATIC / "js").glob("*.js") if not path.name.startswith("admin")
)

MANIFEST = {
    "id": "/",
    "name": "Teahouse",
    "short_name": "Teahouse",
    "start_url": "/",
    "scope": "/",
    "display": "standalone",
    "theme_color": THEME,
    "background_color": BACKGROUND,
    "description": "Team chat",
    "icons": [
        {"src": "/static/icons/icon-192.png", "sizes": "192x192", "type": "image/png"},
        {"src": "/static/icons/icon-512.png", "sizes": "512x512", "type": "image/png"},
        {
            "src": "/static/icons/maskable-512.png",
            "sizes": "512x512",
            "type": "image/png",
            "purpose": "maskable",
        },
        {"src": "/static/favicon.svg", "sizes": "any", "type": "image/svg+xml"},
    ],
}


def worker_source() -> bytes:
    digest = hashlib.sha256()
    for name in SHELL_FILES + ["sw.js"]:
        digest.update((STATIC / name).read_bytes())
    shell = ["/"] + [f"/static/{name}" for name in SHELL_FILES]
    version = json.dumps(digest.hexdigest()[:12])
    head = f"const VERSION = {version};\nconst SHELL = {json.dumps(shell)};\n"
    return head.encode() + (STATIC / "sw.js").read_bytes()


async def manifest(request: web.Request) -> web.Response:
    return web.Response(
        body=json.dumps(MANIFEST).encode(),
        content_type="application/manifest+json",
        headers={"Cache-Control": "no-cache"},
    )


async def service_worker(request: web.Request) -> web.Response:
    # Read per request (a few kB): an upgraded server serves its own files at once.
    return web.Response(
        body=worker_source(),
        content_type="text/javascript",
        headers={"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"},
    )


def setup(app: web.Application) -> None:
    app.router.add_get("/manifest.webmanifest", manifest)
    app.router.add_get("/sw.js", service_worker)
