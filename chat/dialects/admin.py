"""Site administration over REST, channels style ({"error": ...}, trailing slashes):
people (search, promote/demote, deactivate, reset password) and every room. Room
changes themselves go through PATCH/DELETE /api/chat/rooms/{id}/, which site admins may
use on any room; announcements through /api/chat/notifications/announce/.
"""
from __future__ import annotations

from aiohttp import web

from ..core import administration
from ..keys import core_key, user_key
from ..models import Account
from ..web.jsonio import json_response, read_json
from ..web.routing import ERROR, Route, add_routes
from .channels.serialize import serialize_room


def serialize_account(account: Account) -> dict:
    user = account.user
    return {"id": user.id, "username": user.username, "display_name": user.display_name,
            "avatar_url": user.avatar_url, "is_admin": user.is_admin,
            "is_active": user.is_active, "created_at": user.created_at,
            "last_login_at": account.last_login_at}


async def search(request: web.Request, find, serialize) -> web.Response:
    """?q=&limit=&offset= over one of the site-wide lists of `administration`."""
    query = request.query
    found = await find(request.app[core_key], request[user_key], query.get("q", ""),
                       query.get("limit"), query.get("offset"))
    return json_response([serialize(item) for item in found])


async def list_users(request: web.Request) -> web.Response:
    return await search(request, administration.list_accounts, serialize_account)


async def update_user(request: web.Request) -> web.Response:
    body = await read_json(request)
    account = await administration.update_account(
        request.app[core_key], request[user_key], request.match_info["id"],
        body.get("is_admin"), body.get("is_active"))
    return json_response(serialize_account(account))


async def reset_password(request: web.Request) -> web.Response:
    body = await read_json(request)
    account = await administration.reset_password(request.app[core_key], request[user_key],
                                                  request.match_info["id"], body.get("password"))
    return json_response(serialize_account(account))


async def list_rooms(request: web.Request) -> web.Response:
    return await search(request, administration.list_all_rooms, serialize_room)


def setup(app: web.Application) -> None:
    add_routes(app, ERROR, [
        Route("GET", "/api/chat/admin/users/", list_users),
        Route("PATCH", "/api/chat/admin/users/{id}/", update_user),
        Route("POST", "/api/chat/admin/users/{id}/password/", reset_password),
        Route("GET", "/api/chat/admin/rooms/", list_rooms),
    ])
