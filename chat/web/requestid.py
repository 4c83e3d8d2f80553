"""A request id for every request: echoed in the X-Request-Id response header (sockets
too) and attached to every log line written while the request runs.

A proxy's id (nginx's $request_id) is kept only from a trusted proxy and only if it
looks like an id, so a client cannot inject text into the logs or impersonate another
request's id; otherwise the server makes one.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Awaitable

from aiohttp import web

from chat.core.origin import request_id_var
from chat.web.peers import trusted_peer

HEADER = "X-Request-Id"
SANE_ID = re.compile(r"[A-Za-z0-9._:-]{8,64}")
request_id_key = web.RequestKey("request_id", str)


def request_id(request: web.Request) -> str:
    if request_id_key not in request:
        incoming = request.headers.get(HEADER, "")
        request[request_id_key] = (
            incoming if trusted_peer(request) and SANE_ID.fullmatch(incoming) else uuid.uuid4().hex
        )
    return request[request_id_key]


@web.middleware
def tag_request(request: web.Request, handler) -> Awaitable[web.StreamResponse]:
    """Hands on the handler's own coroutine: no frame of ours waits through a socket's
    whole life. The id stays set in the connection's task until its next request sets
    its own (requests of one connection run one after another in that task)."""
    request_id_var.set(request_id(request))
    return handler(request)


async def echo_request_id(request: web.Request, response: web.StreamResponse) -> None:
    """on_response_prepare: runs before any response's headers go out, a socket's included."""
    response.headers[HEADER] = request_id(request)


def setup(app: web.Application) -> None:
    app.middlewares.insert(0, tag_request)
    app.on_response_prepare.append(echo_request_id)
