"""/api/chat/tokens/: a user's personal API tokens, channels style ({"error": ...}).

The secret is in the answer to POST only. Tokens are managed from a login (the web
page or a JWT), never with an API token: a leaked token cannot mint itself a successor.
"""

from __future__ import annotations

from aiohttp import web

from chat.core.integrations import api_tokens
from chat.errors import Forbidden
from chat.keys import core_key, credential_key, user_key
from chat.models import ApiToken
from chat.web.jsonio import json_response, read_json
from chat.web.routing import ERROR, Route, add_routes


def serialize_token(token: ApiToken) -> dict:
    return {
        "id": token.id,
        "name": token.name,
        "hint": token.hint,
        "created_at": token.created_at,
        "expires_at": token.expires_at,
        "last_used_at": token.last_used_at,
    }


def check_login(request: web.Request) -> None:
    # A bot key is no login either: a token made with it would outlive the key.
    if request[credential_key].kind in ("api_token", "bot_key"):
        raise Forbidden("tokens_need_login")


async def list_tokens(request: web.Request) -> web.Response:
    check_login(request)
    found = await api_tokens.list_for(request.app[core_key], request[user_key])
    return json_response([serialize_token(token) for token in found])


async def create_token(request: web.Request) -> web.Response:
    check_login(request)
    body = await read_json(request)
    token, secret = await api_tokens.create(
        request.app[core_key], request[user_key], body.get("name"), body.get("expires_in_days")
    )
    return json_response({**serialize_token(token), "token": secret}, status=201)


async def revoke_token(request: web.Request) -> web.Response:
    check_login(request)
    raw = request.match_info["id"]
    token_id = int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 19 else None
    await api_tokens.revoke(request.app[core_key], request[user_key], token_id)
    return web.Response(status=204)


def setup(app: web.Application) -> None:
    add_routes(
        app,
        ERROR,
        [
            Route("GET", "/api/chat/tokens/", list_tokens),
            Route("POST", "/api/chat/tokens/", create_token),
            Route("DELETE", "/api/chat/tokens/{id}/", revoke_token),
        ],
    )
