"""Who is calling: the token (path, ?token=, or Bearer header) or else the login
cookie, the address (X-Forwarded-For only from trusted proxies) and the language."""

from __future__ import annotations

from aiohttp import web

from chat.core.people import accounts
from chat.errors import Forbidden
from chat.i18n import pick_language
from chat.keys import core_key, credential_key, language_key, settings_key
from chat.web.session_cookie import SAFE_METHODS, cookie_may, session_cookie

# What browser code sends for a token it does not have (seed 004's
# `Bearer ${localStorage.getItem('access_token')}`, seed 001's `?token=${...}`): no
# token, wherever it is put, so the cookie counts.
NO_TOKEN = frozenset({"", "null", "undefined"})


def token_from_request(request: web.Request) -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    for token in (
        request.match_info.get("token"),
        request.query.get("token"),
        value if scheme.lower() == "bearer" else None,
    ):
        if token is not None and token.strip() not in NO_TOKEN:
            return token.strip()
    return None


async def authenticate(request: web.Request, writes: bool | None = None):
    """The caller's User; its Credential is kept on the request. With no token the
    login cookie counts, but for a change (writes; by default any method but GET/HEAD/
    OPTIONS, and every socket) only from a page of this site: 403 otherwise (cross-site
    request forgery)."""
    return (await identify(request, writes)).user


async def identify(request: web.Request, writes: bool | None = None):
    token = token_from_request(request)
    cookie = None if token else session_cookie(request)
    credential = await accounts.identify(request.app[core_key], token, cookie)
    if writes is None:  # a socket reads and writes
        writes = (
            request.method not in SAFE_METHODS
            or request.headers.get("Upgrade", "").lower() == "websocket"
        )
    if credential.kind == "cookie" and not cookie_may(request, writes):
        raise Forbidden("cross_origin_write")
    request[credential_key] = credential
    return credential


def request_language(request: web.Request) -> str:
    if language_key in request:
        return request[language_key]
    default = request.app[settings_key].language
    # Browsers cannot set headers on a WebSocket: the page names its language in ?lang=.
    chosen = (
        request.query.get("lang")
        or request.headers.get("X-Language")
        or request.headers.get("Accept-Language")
    )
    language = pick_language(chosen, default)
    request[language_key] = language
    return language
