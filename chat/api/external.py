"""Sign-in through a directory or an OpenID Connect provider, and the admin's links
({"detail": ...} errors, like /api/auth/).

Directory passwords go through the ordinary POST /api/auth/login (the directory's
client and re-check run from chat/app.py); this module runs the OIDC browser redirects
and links accounts.
"""

from __future__ import annotations

from aiohttp import web

from chat.api import oidc_flow
from chat.core.people import identities
from chat.keys import core_key, user_key
from chat.web.jsonio import json_response, read_json
from chat.web.routing import DETAIL, Route, add_routes


async def link_identity(request: web.Request) -> web.Response:
    body = await read_json(request)
    await identities.link(
        request.app[core_key],
        request[user_key],
        body.get("username"),
        body.get("provider"),
        body.get("external_name"),
    )
    return json_response({"linked": True}, status=201)


def setup(app: web.Application) -> None:
    add_routes(
        app,
        DETAIL,
        [
            Route("POST", "/api/admin/identity-links", link_identity),
        ],
    )
    oidc_flow.setup(app)
