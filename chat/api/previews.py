"""Link previews on our own API: the author removes the cards under a message (channels
style: trailing slash, {"error": ...}); the cards' images are served from our origin."""

from __future__ import annotations

from aiohttp import web

from chat.core.conversation import previews
from chat.keys import core_key, user_key
from chat.web.jsonio import json_response
from chat.web.preview_images import serve_image
from chat.web.routing import ERROR, Route, add_routes
from chat.wire.channels.serialize import serialize_message


async def remove_previews(request: web.Request) -> web.Response:
    user = request[user_key]
    message = await previews.remove(request.app[core_key], user, request.match_info["id"])
    return json_response(serialize_message(message, user.id))


def setup(app: web.Application) -> None:
    add_routes(app, ERROR, [Route("DELETE", "/api/chat/messages/{id}/previews/", remove_previews)])
    app.router.add_get("/previews/{name}", serve_image)
