"""Keeping and taking records, channels style: a room's retention setting and the
exports (site, room, own messages). Parse, one core call, serialize."""

from __future__ import annotations

from aiohttp import web

from chat.core.site import exports, retention
from chat.core.site.exports import Scope
from chat.core.site.retention import RoomRetention
from chat.errors import BadInput
from chat.keys import core_key, user_key
from chat.web.download import stream_download
from chat.web.jsonio import json_response, read_json
from chat.web.routing import ERROR, Route, add_routes


def serialize_retention(found: RoomRetention) -> dict:
    return {
        "room_id": found.room_id,
        "retention_days": found.retention_days,
        "site_retention_days": found.site_days,
        "effective_retention_days": found.effective_days,
    }


async def room_retention(request: web.Request) -> web.Response:
    found = await retention.room_retention(
        request.app[core_key], request[user_key], request.match_info["room"]
    )
    return json_response(serialize_retention(found))


async def set_room_retention(request: web.Request) -> web.Response:
    body = await read_json(request)
    if "retention_days" not in body:  # null is a value here: "off"
        raise BadInput("field_required", field="retention_days")
    found = await retention.set_room_retention(
        request.app[core_key], request[user_key], request.match_info["room"], body["retention_days"]
    )
    return json_response(serialize_retention(found))


async def stream_export(request: web.Request, scope: Scope) -> web.StreamResponse:
    """The export as it is read: JSON lines, on a connection of its own."""
    async with exports.open_export(request.app[core_key], scope, request[user_key]) as lines:
        return await stream_download(
            request, "application/x-ndjson; charset=utf-8", scope.filename, lines
        )


async def export_site(request: web.Request) -> web.StreamResponse:
    return await stream_export(request, exports.site_scope(request[user_key]))


async def export_room(request: web.Request) -> web.StreamResponse:
    scope = await exports.room_scope(
        request.app[core_key], request[user_key], request.match_info["room"]
    )
    return await stream_export(request, scope)


async def export_own(request: web.Request) -> web.StreamResponse:
    return await stream_export(request, exports.own_scope(request[user_key]))


def setup(app: web.Application) -> None:
    add_routes(
        app,
        ERROR,
        [
            Route("GET", "/api/chat/rooms/{room}/retention/", room_retention),
            Route("PUT", "/api/chat/rooms/{room}/retention/", set_room_retention),
            Route("GET", "/api/chat/export/", export_site),
            Route("GET", "/api/chat/rooms/{room}/export/", export_room),
            Route("GET", "/api/chat/me/export/", export_own),
        ],
    )
