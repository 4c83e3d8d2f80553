"""Headers every response gets, whoever produced it (a handler, a middleware, aiohttp).

No `Server` header naming versions: it tells an attacker which CVEs to try. Every 429
carries Retry-After, so a client knows when to come back instead of hammering.
"""

from __future__ import annotations

from aiohttp import hdrs, web

SERVER = "Teahouse"


async def set_common_headers(request: web.Request, response: web.StreamResponse) -> None:
    response.headers[hdrs.SERVER] = SERVER
    if response.status == 429 and hdrs.RETRY_AFTER not in response.headers:
        response.headers[hdrs.RETRY_AFTER] = "1"


def setup(app: web.Application) -> None:
    app.on_response_prepare.append(set_common_headers)
