"""The health checks, the web client's page (one Jinja2 template) and its static files.

The page is a shell: everything after it is plain ES modules and CSS from /static/,
no build step and nothing from a CDN, so the client works on a closed intranet.
The page carries a strict Content-Security-Policy: no inline script or style.
"""

from __future__ import annotations

from pathlib import Path

import aiohttp_jinja2
import jinja2
from aiohttp import web

from chat.core.site import audit, health
from chat.keys import core_key, settings_key
from chat.web.auth import request_language
from chat.web.jsonio import json_response

ROOT = Path(__file__).resolve().parent.parent.parent
TEMPLATES = ROOT / "templates"
STATIC = ROOT / "static"

# Security decision: scripts and styles only from our origin, images also from
# data:/blob: (local previews of files being uploaded), sockets to ourselves.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "connect-src 'self' ws: wss:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
PAGE_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    # Not no-referrer: that makes browsers send "Origin: null" with the page's own
    # changes, and the login cookie needs a real Origin (web/session_cookie.py).
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}


async def healthz(request: web.Request) -> web.Response:
    """200 when the database takes a write and the disk has room, else 503 with why."""
    core = request.app[core_key]
    if reasons := await health.problems(core.db, core.settings):
        return json_response({"status": "unavailable", "reasons": reasons}, status=503)
    return json_response({"status": "ok"})


async def livez(request: web.Request) -> web.Response:
    """The process answers, nothing more: what a page whose socket dropped asks every
    few seconds to learn that the server is back. No database (unlike /healthz, which
    writes), so thousands of waiting pages cost next to nothing."""
    response = json_response({"status": "alive"})
    response.headers["Cache-Control"] = "no-store"
    return response


def page(request: web.Request, template: str) -> web.Response:
    settings = request.app[settings_key]
    context = {
        "allow_registration": settings.allow_registration and settings.local_login,
        "password_login": settings.local_login or settings.ldap is not None,
        "providers": settings.oidc_providers,
        "language": request_language(request),
        "purge_days": settings.room_purge_days,
        "audit_actions": audit.ACTIONS,
    }
    response = aiohttp_jinja2.render_template(template, request, context)
    response.headers.update(PAGE_HEADERS)
    return response


async def index(request: web.Request) -> web.Response:
    return page(request, "index.html")


async def admin(request: web.Request) -> web.Response:
    """The admin page's shell; its API calls are what check for a site admin."""
    return page(request, "admin.html")


async def revalidate_static(request: web.Request, response: web.StreamResponse) -> None:
    """No build step means no hashed file names: browsers revalidate code (cheap 304s);
    icons, referenced by every message, are cached for a day."""
    if request.path.startswith("/static/"):
        icons = request.path.endswith(".svg")
        response.headers["Cache-Control"] = "max-age=86400" if icons else "no-cache"
        response.headers["X-Content-Type-Options"] = "nosniff"


def setup(app: web.Application) -> None:
    aiohttp_jinja2.setup(app, loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/livez", livez)
    app.router.add_get("/", index)
    app.router.add_get("/admin", admin)
    app.router.add_static("/static/", STATIC, append_version=False)
    app.on_response_prepare.append(revalidate_static)
