"""Keeping and taking records, channels style: a room's retention setting and the
exports (site, room, own messages). Parse, one core call, serialize."""
from __future__ import annotations

from aiohttp import web

from ..core import retention
from ..core.retention import RoomRetention
from ..errors import BadInput
from ..keys import core_key, user_key
from ..web.jsonio import json_response, read_json
from ..web.routing import ERROR, Route, add_routes


def serialize_retention(found: RoomRetention) -> dict:
    return {"room_id": found.room_id, "retention_days": found.retention_days,
            "site_retention_days": found.site_days,
            "effective_retention_days": found.effective_days}


async def room_retention(request: web.Request) -> web.Response:
    found = await retention.room_retention(request.app[core_key], request[user_key],
                                           request.match_info["room"])
    return json_response(serialize_retention(found))


async def set_room_retention(request: web.Request) -> web.Response:
    body = await read_json(request)
    if "retention_days" not in body:  # null is a value here: "off"
        raise BadInput("field_required", field="retention_days")
    found = await retention.set_room_retention(request.app[core_key], request[user_key],
                                               request.match_info["room"], body["retention_days"])
    return json_response(serialize_retention(found))


def setup(app: web.Application) -> None:
    add_routes(app, ERROR, [
        Route("GET", "/api/chat/rooms/{room}/retention/", room_retention),
        Route("PUT", "/api/chat/rooms/{room}/retention/", set_room_retention),
    ])
