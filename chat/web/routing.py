"""Routes are registered per dialect through add_routes, which authenticates the
caller and renders every ChatError in that dialect's error shape and language.

Channels and simple share /api/chat/, so sub-apps by prefix cannot separate them:
the error shape travels with each route instead.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiohttp import hdrs, web

from chat.core import storage_error
from chat.core.origin import sender_address, sender_agent
from chat.errors import ChatError, TooManyRequests, Unauthorized
from chat.i18n import translate, viewer_language
from chat.keys import core_key, route_table_key, user_key
from chat.web.accesslog import redact_path
from chat.web.auth import authenticate, request_language
from chat.web.files import sign_links
from chat.web.jsonio import json_response
from chat.web.log_budget import storage_failed
from chat.web.peers import client_address

log = logging.getLogger(__name__)
READS = ("GET", "HEAD", "OPTIONS")
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass(frozen=True)
class ErrorStyle:
    """The key of a dialect's error body: {"detail": ...} or {"error": ...}."""

    key: str

    def response(self, request: web.Request, key: str, status: int, **params) -> web.Response:
        text = translate(key, request_language(request), **params)
        return json_response({self.key: text}, status=status)


DETAIL = ErrorStyle("detail")
ERROR = ErrorStyle("error")


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    handler: Handler
    public: bool = False


def guarded(handler: Handler, style: ErrorStyle, public: bool) -> Handler:
    async def run(request: web.Request) -> web.StreamResponse:
        try:
            viewer_language.set(request_language(request))
            if not public:
                request[user_key] = await authenticate(request)
                if request.method not in READS:
                    await request.app[core_key].limits.check(request[user_key].id, "writes")
            return sign_links(request, await handler(request))
        except ChatError as exc:
            return error_response(request, style, exc)
        except web.HTTPException:
            raise
        except Exception as exc:
            if (failure := storage_error(exc)) is not None:  # a read the database could not take
                storage_failed(redact_path(request.path), exc)
                return error_response(request, style, failure)
            log.exception("unhandled error in %s %s", request.method, redact_path(request.path))
            return style.response(request, "internal_error", 500)

    run.__name__ = handler.__name__
    return run


def error_response(request: web.Request, style: ErrorStyle, exc: ChatError) -> web.Response:
    response = style.response(request, exc.key, exc.status, **exc.params)
    if isinstance(exc, TooManyRequests):
        response.headers[hdrs.RETRY_AFTER] = str(exc.retry_after)
    if isinstance(exc, Unauthorized):
        # RFC 6750's challenge; its error_description is the reason as a key, for
        # clients (our page: "This account has been deactivated") that act on it.
        response.headers[hdrs.WWW_AUTHENTICATE] = (
            'Bearer realm="teahouse"'
            if exc.key == "auth_required"
            else f'Bearer realm="teahouse", error="invalid_token", error_description="{exc.key}"'
        )
    return response


def add_routes(app: web.Application, style: ErrorStyle, routes: list[Route]) -> None:
    # The table /api/openapi.json is generated from (web/openapi.py): what is served.
    app.setdefault(route_table_key, []).extend((style, route) for route in routes)
    for route in routes:
        app.router.add_route(route.method, route.path, guarded(route.handler, style, route.public))


def style_for_path(path: str) -> ErrorStyle:
    """The error shape of an unmatched path: channels paths end in a slash."""
    if path.startswith("/api/chat/") and path.endswith("/"):
        return ERROR
    return DETAIL


@web.middleware
def note_sender(request: web.Request, handler: Handler) -> Awaitable[web.StreamResponse]:
    """The client's address and user agent, for the budgets every account behind one
    address shares (chat/core/ratelimit.py) and the audit log (chat/core/site/audit.py).
    Hands on the handler's own coroutine, as tag_request does: the values stay set in
    the connection's task until its next request."""
    sender_address.set(client_address(request))
    sender_agent.set(request.headers.get("User-Agent", "")[:300] or None)
    return handler(request)


@web.middleware
def api_errors(request: web.Request, handler: Handler) -> Awaitable[web.StreamResponse]:
    """404/405 under /api/ in the shape the caller's dialect expects. Only a request no
    route matched meets them; a matched one gets the handler's own coroutine, so no
    frame of ours waits through a socket's whole life."""
    if request.match_info.http_exception is None:
        return handler(request)
    return unmatched(request, handler)


async def unmatched(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except (web.HTTPNotFound, web.HTTPMethodNotAllowed) as exc:
        if not request.path.startswith("/api/"):
            raise
        key = "not_found" if exc.status == 404 else "internal_error"
        response = style_for_path(request.path).response(request, key, exc.status)
        if exc.status == 405:
            response = json_response({style_for_path(request.path).key: "Method not allowed"}, 405)
        return response
