"""/api/auth/* and /api/users/: accounts and people search ({"detail": ...} errors)."""

from __future__ import annotations

from aiohttp import web

from chat.core.people import accounts, sessions
from chat.errors import Forbidden, Unauthorized
from chat.keys import core_key, credential_key, user_key
from chat.models import Tokens, User
from chat.web.auth import identify
from chat.web.files import receive_avatar
from chat.web.jsonio import json_response, read_json
from chat.web.peers import client_address
from chat.web.routing import DETAIL, Route, add_routes
from chat.web.session_cookie import (
    clear_session_cookie,
    same_origin,
    session_cookie,
    set_session_cookie,
)


def serialize_user(user: User) -> dict:
    return {
        "id": user.id,
        "username": user.username,
        "display_name": user.display_name,
        "avatar_url": user.avatar_url,
        "is_admin": user.is_admin,
        "is_guest": user.is_guest,
    }


def serialize_tokens(tokens: Tokens) -> dict:
    return {
        "user": serialize_user(tokens.user),
        "access_token": tokens.access_token,
        "refresh_token": tokens.refresh_token,
        "token_type": "bearer",
        "expires_in": tokens.expires_in,
    }


def signed_in(request: web.Request, tokens: Tokens, status: int = 200) -> web.Response:
    """The tokens, and the login's cookie when a page of this site signed in (a browser
    shows its Origin; API clients, which keep tokens, get no cookie to carry around)."""
    response = json_response(serialize_tokens(tokens), status=status)
    if tokens.session_secret and same_origin(request):
        set_session_cookie(response, request, tokens.session_secret)
    return response


async def register(request: web.Request) -> web.Response:
    body = await read_json(request)
    tokens = await accounts.register(
        request.app[core_key], body.get("username"), body.get("password"), body.get("display_name")
    )
    return signed_in(request, tokens, status=201)


async def login(request: web.Request) -> web.Response:
    body = await read_json(request)
    tokens = await accounts.login(
        request.app[core_key],
        body.get("username"),
        body.get("password"),
        client_address(request),
        request.headers.get("User-Agent"),
    )
    return signed_in(request, tokens)


async def refresh(request: web.Request) -> web.Response:
    """A refresh token in the body, or (the web page) the login cookie alone."""
    body = await read_json(request)
    core, cookie = request.app[core_key], session_cookie(request)
    if body.get("refresh_token") is None and cookie:
        if not same_origin(request):
            raise Forbidden("cross_origin_write")
        return signed_in(request, await sessions.refresh_cookie(core, cookie))
    return signed_in(request, await accounts.refresh(core, body.get("refresh_token")))


async def logout(request: web.Request) -> web.Response:
    """Ends the caller's login (its tokens, cookie and sockets); answers 204 even when
    the credential already ended, and always clears the cookie."""
    try:
        credential = await identify(request)
    except Unauthorized:
        credential = None
    if credential is not None and credential.session_id is not None:
        await sessions.end(request.app[core_key], credential.user, credential.session_id)
    response = web.Response(status=204)
    clear_session_cookie(response, request)
    return response


async def me(request: web.Request) -> web.Response:
    return json_response(serialize_user(request[user_key]))


async def update_me(request: web.Request) -> web.Response:
    body = await read_json(request)
    core = request.app[core_key]
    user = await accounts.update_me(
        core,
        request[user_key],
        display_name=body.get("display_name"),
        avatar_url=body.get("avatar_url"),
        password=body.get("password"),
        old_password=body.get("old_password"),
        address=client_address(request),
    )
    response = json_response(serialize_user(user))
    if body.get("password") is not None and request[credential_key].kind == "cookie":
        # The password change ended every login, this page's too: it gets a new one.
        fresh = await accounts.start_login(core, user)
        set_session_cookie(response, request, fresh.session_secret)
    return response


async def upload_avatar(request: web.Request) -> web.Response:
    return json_response(serialize_user(await receive_avatar(request)))


async def find_users(request: web.Request) -> web.Response:
    found = await accounts.find_users(
        request.app[core_key], request[user_key], request.query.get("q", "")
    )
    return json_response([serialize_user(user) for user in found])


def setup(app: web.Application) -> None:
    add_routes(
        app,
        DETAIL,
        [
            Route("POST", "/api/auth/register", register, public=True),
            Route("POST", "/api/auth/login", login, public=True),
            Route("POST", "/api/auth/refresh", refresh, public=True),
            Route("POST", "/api/auth/logout", logout, public=True),
            Route("GET", "/api/auth/me", me),
            Route("PATCH", "/api/auth/me", update_me),
            Route("POST", "/api/auth/me/avatar", upload_avatar),
            Route("GET", "/api/users/", find_users),
        ],
    )
