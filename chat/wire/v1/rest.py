"""v1 REST: /api/v1/chatroom/... without trailing slashes, errors as {"detail": ...}."""

from __future__ import annotations

from aiohttp import web

from chat.core.conversation import rooms
from chat.core.fields import check_int
from chat.errors import BadInput
from chat.keys import core_key, user_key
from chat.web.jsonio import json_response, read_json
from chat.web.replies import room_action
from chat.web.routing import DETAIL, Route, add_routes
from chat.wire.v1.serialize import serialize_detail, serialize_listing, serialize_room
from chat.wire.v1.socket import chat_socket

PREFIX = "/api/v1/chatroom"


def parse_room_type(body: dict) -> str:
    """v1's is_public (default true) is the room type public or private."""
    is_public = body.get("is_public", True)
    if not isinstance(is_public, bool):
        raise BadInput("field_type", field="is_public", kind="a boolean")
    return "public" if is_public else "private"


async def create_room(request: web.Request) -> web.Response:
    body = await read_json(request)
    core, user = request.app[core_key], request[user_key]
    room = await rooms.create_room(
        core,
        user,
        body.get("name"),
        body.get("description", ""),
        parse_room_type(body),
        body.get("is_official", False),
    )
    seen = await rooms.room_detail(core, user, room.id, latest=0)
    return json_response(serialize_room(seen.room, seen.membership))


async def list_rooms(request: web.Request) -> web.Response:
    """Without skip/limit: every room of the caller's and the first public ones (as the
    other dialects); with them, a plain page over the same order, own rooms first."""
    core, user, query = request.app[core_key], request[user_key], request.query
    if "skip" not in query and "limit" not in query:
        listings = await rooms.list_rooms(core, user)
    else:
        skip = check_int("skip", query.get("skip"), 0, 2**31, default=0)
        limit = check_int("limit", query.get("limit"), 1, rooms.MAX_PAGE, default=100)
        listings = await rooms.page_rooms(core, user, skip, limit)
    return json_response([serialize_listing(listing) for listing in listings])


async def room_detail(request: web.Request) -> web.Response:
    detail = await rooms.room_detail(
        request.app[core_key], request[user_key], request.match_info["room"]
    )
    return json_response(serialize_detail(detail))


join_room = room_action(rooms.join, "v1_room_joined")
leave_room = room_action(rooms.leave, "v1_room_left")
delete_room = room_action(rooms.delete_room, "v1_room_deleted")


def setup(app: web.Application) -> None:
    add_routes(
        app,
        DETAIL,
        [
            Route("POST", f"{PREFIX}/rooms", create_room),
            Route("GET", f"{PREFIX}/rooms", list_rooms),
            Route("GET", f"{PREFIX}/rooms/{{room}}", room_detail),
            Route("DELETE", f"{PREFIX}/rooms/{{room}}", delete_room),
            Route("POST", f"{PREFIX}/rooms/{{room}}/join", join_room),
            Route("POST", f"{PREFIX}/rooms/{{room}}/leave", leave_room),
        ],
    )
    app.router.add_get(f"{PREFIX}/ws/{{room}}/{{token}}", chat_socket)
    # Without the path token, ?token= or an Authorization header names the user.
    app.router.add_get(f"{PREFIX}/ws/{{room}}", chat_socket)
    app.router.add_get(f"{PREFIX}/ws/{{room}}/", chat_socket)
