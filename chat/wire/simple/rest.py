"""Simple REST: the twelve endpoints of seed 003, plus the route that serves uploads."""

from __future__ import annotations

from aiohttp import web

from chat.core.conversation import messages, rooms
from chat.core.people import online as activity
from chat.errors import BadInput
from chat.i18n import translate
from chat.keys import core_key, user_key
from chat.web.auth import request_language
from chat.web.files import receive_upload, serve_upload
from chat.web.jsonio import json_response, read_fields, read_json
from chat.web.peers import client_address
from chat.web.replies import room_action, said
from chat.web.routing import DETAIL, Route, add_routes
from chat.wire.simple.serialize import (
    serialize_message,
    serialize_online_user,
    serialize_room,
    serialize_stats,
)

DEFAULT_ROOM = "global"


def room_param(request: web.Request) -> str:
    return request.query.get("room_id") or DEFAULT_ROOM


async def send(request: web.Request) -> web.Response:
    body = await read_json(request)
    result = await messages.send(
        request.app[core_key],
        request[user_key],
        room_param(request),
        body.get("content"),
        body.get("message_type") or "text",
        body.get("reply_to"),
        body.get("client_id"),
    )
    return json_response(serialize_message(result.message))


async def upload(request: web.Request) -> web.Response:
    result = await receive_upload(request)
    return json_response(serialize_message(result.message))


async def list_messages(request: web.Request) -> web.Response:
    found = await messages.history_before(
        request.app[core_key],
        request[user_key],
        room_param(request),
        request.query.get("before"),
        request.query.get("limit"),
    )
    return json_response([serialize_message(message) for message in found])


async def online_users(request: web.Request) -> web.Response:
    found = await activity.online_users(request.app[core_key], request[user_key])
    return json_response([serialize_online_user(online) for online in found])


async def stats(request: web.Request) -> web.Response:
    return json_response(serialize_stats(await activity.stats(request.app[core_key])))


async def create_room(request: web.Request) -> web.Response:
    fields = await read_fields(request)
    if not fields.get("room_name"):
        raise BadInput("field_required", field="room_name")
    room = await rooms.create_room(
        request.app[core_key],
        request[user_key],
        fields["room_name"],
        fields.get("description") or "",
    )
    return json_response(
        {
            "room_id": room.slug,
            "message": translate("simple_room_created", request_language(request)),
        }
    )


join_room = room_action(rooms.join, "simple_room_joined")
leave_room = room_action(rooms.leave, "simple_room_left")


async def list_rooms(request: web.Request) -> web.Response:
    found = await rooms.list_rooms_with_members(
        request.app[core_key],
        request[user_key],
        request.query.get("public_limit"),
        request.query.get("public_offset"),
    )
    return json_response([serialize_room(listing, ids) for listing, ids in found])


async def delete_message(request: web.Request) -> web.Response:
    await messages.delete(
        request.app[core_key],
        request[user_key],
        request.match_info["id"],
        request.query.get("room_id"),
    )
    return said(request, "simple_message_deleted")


async def user_ip(request: web.Request) -> web.Response:
    user_id, ip = await activity.user_ip(
        request.app[core_key], request[user_key], request.match_info["user_id"]
    )
    return json_response({"user_id": user_id, "ip": ip})


async def heartbeat(request: web.Request) -> web.Response:
    stamp = activity.heartbeat(
        request.app[core_key],
        request[user_key],
        client_address(request),
        request.headers.get("User-Agent"),
    )
    return json_response({"status": "ok", "timestamp": stamp})


def setup(app: web.Application) -> None:
    add_routes(
        app,
        DETAIL,
        [
            Route("POST", "/api/chat/send", send),
            Route("POST", "/api/chat/upload", upload),
            Route("GET", "/api/chat/messages", list_messages),
            Route("GET", "/api/chat/online-users", online_users),
            Route("GET", "/api/chat/stats", stats),
            Route("POST", "/api/chat/rooms", create_room),
            Route("GET", "/api/chat/rooms", list_rooms),
            Route("POST", "/api/chat/rooms/{room}/join", join_room),
            Route("POST", "/api/chat/rooms/{room}/leave", leave_room),
            Route("DELETE", "/api/chat/messages/{id}", delete_message),
            Route("GET", "/api/chat/user-ip/{user_id}", user_ip),
            Route("POST", "/api/chat/heartbeat", heartbeat),
            Route("GET", "/uploads/chat/{name}", serve_upload, public=True),
            Route("HEAD", "/uploads/chat/{name}", serve_upload, public=True),
        ],
    )
