"""Channels REST: /api/chat/.../ with trailing slashes, 201 on creation, {"error": ...}."""

from __future__ import annotations

from aiohttp import web

from chat.core.conversation import messages, rooms
from chat.core.fields import check_int
from chat.core.reach import notifications
from chat.i18n import translate
from chat.keys import core_key, user_key
from chat.web.auth import request_language
from chat.web.jsonio import json_response, read_json
from chat.web.replies import room_action, said
from chat.web.routing import ERROR, Route, add_routes
from chat.wire.channels.serialize import (
    serialize_detail,
    serialize_listing,
    serialize_membership,
    serialize_message,
    serialize_notification,
    serialize_page,
    serialize_room,
)
from chat.wire.channels.socket import chat_socket


async def list_rooms(request: web.Request) -> web.Response:
    listings = await rooms.list_rooms(
        request.app[core_key],
        request[user_key],
        request.query.get("public_limit"),
        request.query.get("public_offset"),
    )
    return json_response([serialize_listing(listing) for listing in listings])


async def create_room(request: web.Request) -> web.Response:
    body = await read_json(request)
    room = await rooms.create_room(
        request.app[core_key],
        request[user_key],
        body.get("name"),
        body.get("description", ""),
        body.get("room_type", "public"),
        body.get("is_official", False),
        body.get("max_members", ...),
    )
    return json_response(serialize_room(room), status=201)


async def room_detail(request: web.Request) -> web.Response:
    detail = await rooms.room_detail(
        request.app[core_key], request[user_key], request.match_info["room"], latest=0
    )
    return json_response(serialize_detail(detail))


delete_room = room_action(rooms.delete_room, "room_deleted")
join_room = room_action(rooms.join, "room_joined")
leave_room = room_action(rooms.leave, "room_left")


async def room_members(request: web.Request) -> web.Response:
    room, members = await rooms.room_members(
        request.app[core_key], request[user_key], request.match_info["room"]
    )
    return json_response([serialize_membership(m, room) for m in members])


async def room_messages(request: web.Request) -> web.Response:
    user = request[user_key]
    page = await messages.history_page(
        request.app[core_key],
        user,
        request.match_info["room"],
        request.query.get("page"),
        request.query.get("page_size"),
        request.query.get("before"),
    )
    return json_response(serialize_page(page, user.id))


async def post_message(request: web.Request) -> web.Response:
    body = await read_json(request)
    user = request[user_key]
    result = await messages.send(
        request.app[core_key],
        user,
        request.match_info["room"],
        body.get("content"),
        body.get("message_type", "text"),
        body.get("reply_to"),
        body.get("client_id"),
        body.get("file_url"),
        body.get("file_name"),
        body.get("file_size"),
    )
    return json_response(
        serialize_message(result.message, user.id), status=201 if result.created else 200
    )


async def read_message(request: web.Request) -> web.Response:
    await messages.mark_read(request.app[core_key], request[user_key], request.match_info["id"])
    return said(request, "message_read")


async def delete_message(request: web.Request) -> web.Response:
    await messages.delete(request.app[core_key], request[user_key], request.match_info["id"])
    return said(request, "message_removed")


async def list_notifications(request: web.Request) -> web.Response:
    unread_only = request.query.get("unread") in ("1", "true")
    found = await notifications.list_for(
        request.app[core_key], request[user_key], unread_only, request.query.get("limit")
    )
    return json_response([serialize_notification(n) for n in found])


async def read_notification(request: web.Request) -> web.Response:
    await notifications.mark_read(
        request.app[core_key],
        request[user_key],
        check_int("id", request.match_info["id"], 1, 2**62),
    )
    return said(request, "notification_read")


async def read_all_notifications(request: web.Request) -> web.Response:
    count = await notifications.mark_all_read(request.app[core_key], request[user_key])
    return json_response(
        {"message": translate("notifications_read", request_language(request)), "count": count}
    )


def setup(app: web.Application) -> None:
    add_routes(
        app,
        ERROR,
        [
            Route("GET", "/api/chat/rooms/", list_rooms),
            Route("POST", "/api/chat/rooms/", create_room),
            Route("GET", "/api/chat/rooms/{room}/", room_detail),
            Route("DELETE", "/api/chat/rooms/{room}/", delete_room),
            Route("POST", "/api/chat/rooms/{room}/join/", join_room),
            Route("POST", "/api/chat/rooms/{room}/leave/", leave_room),
            Route("GET", "/api/chat/rooms/{room}/members/", room_members),
            Route("GET", "/api/chat/rooms/{room}/messages/", room_messages),
            Route("POST", "/api/chat/rooms/{room}/messages/", post_message),
            Route("POST", "/api/chat/messages/{id}/read/", read_message),
            Route("DELETE", "/api/chat/messages/{id}/delete/", delete_message),
            Route("DELETE", "/api/chat/messages/{id}/", delete_message),
            Route("GET", "/api/chat/notifications/", list_notifications),
            Route("POST", "/api/chat/notifications/read-all/", read_all_notifications),
            Route("POST", "/api/chat/notifications/{id}/read/", read_notification),
        ],
    )
    app.router.add_get("/ws/chat/{room}/", chat_socket)
    app.router.add_get("/ws/chat/{room}", chat_socket)
