"""/api/auth/* and /api/users/: accounts and people search ({"detail": ...} errors)."""
from __future__ import annotations

from aiohttp import web

from ..core import accounts
from ..keys import core_key, user_key
from ..models import Tokens, User
from ..web.auth import client_address
from ..web.files import receive_avatar
from ..web.jsonio import json_response, read_json
from ..web.routing import DETAIL, Route, add_routes


def serialize_user(user: User) -> dict:
    return {"id": user.id, "username": user.username, "display_name": user.display_name,
            "avatar_url": user.avatar_url, "is_admin": user.is_admin}


def serialize_tokens(tokens: Tokens) -> dict:
    return {"user": serialize_user(tokens.user), "access_token": tokens.access_token,
            "refresh_token": tokens.refresh_token, "token_type": "bearer",
            "expires_in": tokens.expires_in}


async def register(request: web.Request) -> web.Response:
    body = await read_json(request)
    tokens = await accounts.register(request.app[core_key], body.get("username"),
                                     body.get("password"), body.get("display_name"))
    return json_response(serialize_tokens(tokens), status=201)


async def login(request: web.Request) -> web.Response:
    body = await read_json(request)
    tokens = await accounts.login(request.app[core_key], body.get("username"),
                                  body.get("password"), client_address(request),
                                  request.headers.get("User-Agent"))
    return json_response(serialize_tokens(tokens))


async def refresh(request: web.Request) -> web.Response:
    body = await read_json(request)
    tokens = await accounts.refresh(request.app[core_key], body.get("refresh_token"))
    return json_response(serialize_tokens(tokens))


async def me(request: web.Request) -> web.Response:
    return json_response(serialize_user(request[user_key]))


async def update_me(request: web.Request) -> web.Response:
    body = await read_json(request)
    user = await accounts.update_me(
        request.app[core_key], request[user_key], display_name=body.get("display_name"),
        avatar_url=body.get("avatar_url"), password=body.get("password"),
        old_password=body.get("old_password"))
    return json_response(serialize_user(user))


async def upload_avatar(request: web.Request) -> web.Response:
    return json_response(serialize_user(await receive_avatar(request)))


async def find_users(request: web.Request) -> web.Response:
    found = await accounts.find_users(request.app[core_key], request.query.get("q", ""))
    return json_response([serialize_user(user) for user in found])


def setup(app: web.Application) -> None:
    add_routes(app, DETAIL, [
        Route("POST", "/api/auth/register", register, public=True),
        Route("POST", "/api/auth/login", login, public=True),
        Route("POST", "/api/auth/refresh", refresh, public=True),
        Route("GET", "/api/auth/me", me),
        Route("PATCH", "/api/auth/me", update_me),
        Route("POST", "/api/auth/me/avatar", upload_avatar),
        Route("GET", "/api/users/", find_users),
    ])
