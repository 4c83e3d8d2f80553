"""Site administration over REST, channels style ({"error": ...}, trailing slashes):
people and bots (search, promote/demote, deactivate, reset password), every room and
direct conversation, and deleted rooms (restore, purge now). Lists are paged
(?q=&kind=&limit=&offset=) and answer a JSON array with the number of matches in
X-Total-Count. Room changes themselves go through PATCH/DELETE /api/chat/rooms/{id}/,
which site admins may use on any room; announcements through
/api/chat/notifications/announce/.
"""

from __future__ import annotations

from aiohttp import web

from chat.core.conversation import deleted_rooms
from chat.core.site import administration
from chat.keys import core_key, user_key
from chat.models import Account, Room
from chat.web.jsonio import json_response, read_json
from chat.web.routing import ERROR, Route, add_routes
from chat.wire.channels.serialize import serialize_room

TOTAL_HEADER = "X-Total-Count"


def serialize_account(account: Account) -> dict:
    user = account.user
    return {
        "id": user.id,
        "username": user.username,
        "display_name": user.display_name,
        "avatar_url": user.avatar_url,
        "is_admin": user.is_admin,
        "is_bot": user.is_bot,
        "kind": account.kind,
        "is_active": user.is_active,
        "is_guest": user.is_guest,
        "guest_until": user.guest_until,
        "created_at": user.created_at,
        "last_login_at": account.last_login_at,
    }


def serialize_admin_room(room: Room, purge_at: str | None = None) -> dict:
    """A room as the console shows it: what deleting it would lose, and for a deleted
    one, when it goes for good."""
    return {
        **serialize_room(room),
        "message_count": room.message_count,
        "deleted_at": room.deleted_at,
        "purge_at": purge_at,
    }


async def search(request: web.Request, find, serialize, **extra) -> web.Response:
    """?q=&limit=&offset= over one of the site-wide lists; the total in a header."""
    query = request.query
    found, total = await find(
        request.app[core_key],
        request[user_key],
        query.get("q", ""),
        query.get("limit"),
        query.get("offset"),
        **extra,
    )
    response = json_response([serialize(item) for item in found])
    response.headers[TOTAL_HEADER] = str(total)
    return response


async def list_users(request: web.Request) -> web.Response:
    return await search(
        request, administration.list_accounts, serialize_account, kind=request.query.get("kind")
    )


async def update_user(request: web.Request) -> web.Response:
    body = await read_json(request)
    account = await administration.update_account(
        request.app[core_key],
        request[user_key],
        request.match_info["id"],
        body.get("is_admin"),
        body.get("is_active"),
    )
    return json_response(serialize_account(account))


async def reset_password(request: web.Request) -> web.Response:
    body = await read_json(request)
    account = await administration.reset_password(
        request.app[core_key], request[user_key], request.match_info["id"], body.get("password")
    )
    return json_response(serialize_account(account))


async def list_rooms(request: web.Request) -> web.Response:
    return await search(
        request, administration.list_all_rooms, serialize_admin_room, kind=request.query.get("kind")
    )


async def list_deleted_rooms(request: web.Request) -> web.Response:
    core = request.app[core_key]
    return await search(
        request,
        deleted_rooms.list_deleted,
        lambda room: serialize_admin_room(room, deleted_rooms.purge_at(core, room)),
    )


async def restore_room(request: web.Request) -> web.Response:
    room = await deleted_rooms.restore(
        request.app[core_key], request[user_key], request.match_info["id"]
    )
    return json_response(serialize_admin_room(room))


async def purge_room(request: web.Request) -> web.Response:
    purged = await deleted_rooms.purge_now(
        request.app[core_key], request[user_key], request.match_info["id"]
    )
    return json_response({"purged": True, "messages": purged.messages, "files": purged.files})


def setup(app: web.Application) -> None:
    add_routes(
        app,
        ERROR,
        [
            Route("GET", "/api/chat/admin/users/", list_users),
            Route("PATCH", "/api/chat/admin/users/{id}/", update_user),
            Route("POST", "/api/chat/admin/users/{id}/password/", reset_password),
            Route("GET", "/api/chat/admin/rooms/", list_rooms),
            Route("GET", "/api/chat/admin/deleted-rooms/", list_deleted_rooms),
            Route("POST", "/api/chat/admin/deleted-rooms/{id}/restore/", restore_room),
            Route("DELETE", "/api/chat/admin/deleted-rooms/{id}/", purge_room),
        ],
    )
