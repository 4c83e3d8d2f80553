"""The web page's login cookie: set at sign-in, sent by the browser to same-origin
REST calls and sockets that carry no token, cleared at sign-out.

HttpOnly keeps it from page scripts (an XSS cannot read it), SameSite=Strict keeps
other sites' pages from sending it, and Secure is added when the request came over
https (directly or, from a trusted proxy, by X-Forwarded-Proto). Because a cookie
rides along by itself, a change authenticated only by it must also show an Origin
(or Referer) of this very site: anything else is refused before the handler runs.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from aiohttp import web

from chat.keys import settings_key
from chat.web.peers import trusted_peer

COOKIE = "teahouse_session"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def session_cookie(request: web.Request) -> str | None:
    return request.cookies.get(COOKIE) or None


def is_https(request: web.Request) -> bool:
    if request.secure:
        return True
    proto = request.headers.get("X-Forwarded-Proto", "")
    return trusted_peer(request) and proto.split(",")[0].strip().lower() == "https"


def set_session_cookie(response: web.StreamResponse, request: web.Request, secret: str) -> None:
    response.set_cookie(
        COOKIE,
        secret,
        max_age=request.app[settings_key].refresh_token_ttl,
        path="/",
        httponly=True,
        samesite="Strict",
        secure=is_https(request),
    )


def clear_session_cookie(response: web.StreamResponse, request: web.Request) -> None:
    response.del_cookie(
        COOKIE, path="/", httponly=True, samesite="Strict", secure=is_https(request)
    )


def same_origin(request: web.Request) -> bool:
    """The browser says the request comes from a page of this host: Origin, or when a
    browser sends none, Referer. Neither (or "null") is not proof, so it fails."""
    source = request.headers.get("Origin") or request.headers.get("Referer") or ""
    if not source or source == "null":
        return False
    return urlsplit(source).netloc.lower() == request.host.lower()


def cookie_may(request: web.Request, writes: bool) -> bool:
    """A cookie-only credential may be used: reads always, changes only same-origin."""
    return not writes or same_origin(request)
