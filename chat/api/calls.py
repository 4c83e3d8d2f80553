"""Calls, in channels style: whether they are on, and starting one in a room (a message
with a meeting link, chat/core/conversation/calls.py)."""

from __future__ import annotations

from aiohttp import web

from chat.core.conversation import calls
from chat.keys import core_key, user_key
from chat.web.jsonio import json_response, read_json
from chat.web.routing import ERROR, Route, add_routes
from chat.wire.channels.serialize import serialize_message


async def call_settings(request: web.Request) -> web.Response:
    core = request.app[core_key]
    return json_response({"enabled": calls.calls_on(core), "base_url": core.settings.call_url})


async def start_call(request: web.Request) -> web.Response:
    body = await read_json(request, allow_empty=True)
    user = request[user_key]
    result = await calls.start_call(
        request.app[core_key], user, request.match_info["room"], body.get("client_id")
    )
    return json_response(
        serialize_message(result.message, user.id), status=201 if result.created else 200
    )


def setup(app: web.Application) -> None:
    add_routes(
        app,
        ERROR,
        [
            Route("GET", "/api/chat/calls/", call_settings),
            Route("POST", "/api/chat/rooms/{room}/call/", start_call),
        ],
    )
