"""Letting a socket in: origin, sign-in, admission, in that order, each with a budget.

A reconnect storm (thousands of sockets dropped at once and back within a second) must
not take the event loop from REST. Two gates, both first come, first served:

- **sign-ins in flight** (CHAT_SOCKET_SIGN_INS): a socket takes a place here before it
  signs in and gives it back once it holds an admission slot (or was refused). Signing
  in a known user is a token check and a lookup with no await, so without this gate
  every socket of a storm would sign in during its first step, all ahead of any REST
  call that arrived meanwhile. The places are many more than the admission slots, so
  newcomers' first-contact writes still share commits (the group commit) in batches
  of up to that many.
- **admission** (the hub's few slots): handshake, greeting and replay; released by
  SocketSession.run once the replay is sent.

No socket is admitted unauthenticated: a refusal is told as a close code once the
socket is open.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from urllib.parse import urlsplit

from aiohttp import web

from chat.core import storage_error
from chat.core.caps import check_socket_cap
from chat.errors import ChatError
from chat.i18n import translate, viewer_language
from chat.keys import core_key, settings_key, socket_close_key
from chat.web.auth import identify, request_language
from chat.web.log_budget import storage_failed
from chat.web.sockets import MAX_FRAME, SocketSession


def origin_allowed(request: web.Request) -> bool:
    """Refuse cross-site WebSocket hijacking: a browser's Origin must be ours or listed."""
    origin = request.headers.get("Origin")
    if not origin:
        return True
    if origin in request.app[settings_key].cors_origins:
        return True
    return urlsplit(origin).netloc.lower() == request.host.lower()


def socket_handler(kind: type[SocketSession], dialect) -> Callable:
    """The aiohttp handler of a socket: serve() itself, so that each of 10,000 open
    sockets keeps one coroutine frame of ours waiting, not a chain of wrappers."""
    return functools.partial(serve, kind=kind, dialect=dialect)


async def serve(request: web.Request, *, kind: type[SocketSession], dialect) -> web.StreamResponse:
    if not origin_allowed(request):
        return web.Response(status=403, text="cross-origin WebSocket refused")
    settings = request.app[settings_key]
    viewer_language.set(request_language(request))
    # No permessage-deflate: the hub writes every live frame uncompressed (RFC 7692 lets
    # it), so the extension only bought each socket a zlib compressor for its greeting,
    # ~90 KiB held for the socket's life (and an inflater for a browser's frames).
    ws = web.WebSocketResponse(
        heartbeat=settings.heartbeat_seconds, max_msg_size=MAX_FRAME, compress=False
    )
    session = kind(request, ws, dialect)
    hub = request.app[core_key].hub
    refused, admission = await sign_in_then_admit(session, hub.sign_ins, hub.admission)
    try:
        await ws.prepare(request)
        if refused is not None:
            raise refused
        await unless_storage_fails(session.open())
        check_socket_cap(session.core, session.user)  # then run() attaches, with no await between
    except ChatError as exc:
        admission.release()
        request[socket_close_key] = exc.close_code
        reason = translate(exc.key, request_language(request), **exc.params)
        await ws.close(code=exc.close_code, message=reason.encode()[:120])
        return ws
    except BaseException:
        admission.release()
        raise
    await session.run(admission)
    request[socket_close_key] = session.conn.close_code  # for the access line (accesslog.py)
    return ws


async def sign_in_then_admit(
    session: SocketSession, sign_ins: asyncio.Semaphore, admission: asyncio.Semaphore
) -> tuple[ChatError | None, asyncio.Semaphore]:
    """Sign in within the budget of sign-ins in flight, then wait for an admission slot
    still holding that place (so at most that many sockets are signed in and waiting);
    the caller owns the admission slot it returns. The refusal, if any, comes back to
    be told once the socket is open."""
    async with sign_ins:
        refused = await sign_in(session)
        await admission.acquire()
    return refused, admission


async def sign_in(session: SocketSession) -> ChatError | None:
    """Who is calling (a login cookie counts only from a page of this site); the
    refusal, told once the socket is open, as a close code."""
    try:
        session.credential = await unless_storage_fails(identify(session.request, writes=True))
    except ChatError as refused:
        return refused
    session.user = session.credential.user
    return None


async def unless_storage_fails(call):
    """The call's result; a read the database could not take (a restart) becomes its
    ChatError (503, close code 1013: try again), not an unhandled error."""
    try:
        return await call
    except Exception as exc:
        if (failure := storage_error(exc)) is None:
            raise
        storage_failed("opening a socket", exc)
        raise failure from exc
