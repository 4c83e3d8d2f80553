"""Bots: managing them (channels style, site admins only) and Campfire's door
POST /rooms/{room}/{bot_key}/messages, where a plain-text body (or a multipart
"attachment") is posted as the bot and answered 201 with a Location.

The same key also works as "Authorization: Bearer {bot_key}" everywhere (web/auth.py).
"""

from __future__ import annotations

from aiohttp import web

from chat.core.conversation import messages
from chat.core.integrations import bots
from chat.i18n import translate
from chat.keys import core_key, user_key
from chat.models import Bot
from chat.web.auth import request_language
from chat.web.files import receive_upload
from chat.web.jsonio import json_response, read_json
from chat.web.routing import DETAIL, ERROR, Route, add_routes
from chat.wire.channels.serialize import serialize_message, serialize_user

MAX_TEXT_BYTES = 64 * 1024


def serialize_bot(bot: Bot, key: str | None = None) -> dict:
    """The key appears only when it was just made: it is stored as a digest."""
    body = {
        "id": bot.user.id,
        "user": serialize_user(bot.user),
        "outgoing_url": bot.outgoing_url,
        "created_at": bot.created_at,
    }
    return body if key is None else {**body, "key": key}


async def list_bots(request: web.Request) -> web.Response:
    found = await bots.list_bots(request.app[core_key], request[user_key])
    return json_response([serialize_bot(bot) for bot in found])


async def create_bot(request: web.Request) -> web.Response:
    body = await read_json(request)
    bot, key = await bots.create(
        request.app[core_key],
        request[user_key],
        body.get("username"),
        body.get("display_name"),
        body.get("avatar_url"),
        body.get("outgoing_url"),
    )
    return json_response(serialize_bot(bot, key), status=201)


async def update_bot(request: web.Request) -> web.Response:
    body = await read_json(request)
    changes = {k: body[k] for k in ("display_name", "avatar_url", "outgoing_url") if k in body}
    bot, _ = await bots.update(
        request.app[core_key], request[user_key], request.match_info["bot_id"], changes
    )
    return json_response(serialize_bot(bot))


async def regenerate_key(request: web.Request) -> web.Response:
    bot, key = await bots.update(
        request.app[core_key], request[user_key], request.match_info["bot_id"], {}, regenerate=True
    )
    return json_response(serialize_bot(bot, key))


async def delete_bot(request: web.Request) -> web.Response:
    await bots.delete(request.app[core_key], request[user_key], request.match_info["bot_id"])
    return json_response({"message": translate("bot_deleted", request_language(request))})


async def bot_says(request: web.Request) -> web.Response:
    core = request.app[core_key]
    request[user_key] = bot = await bots.authenticate(core, request.match_info["bot_key"])
    room = request.match_info["room"]
    if request.content_type == "multipart/form-data":
        result = await receive_upload(request, file_field="attachment", room=room)
    else:
        text = (await request.content.read(MAX_TEXT_BYTES)).decode("utf-8", "replace")
        # ?thread=<message id>: a reply in that message's thread (&also_to_room=1: in the
        # room too), as a bot answering in a thread does
        thread = request.query.get("thread")
        also = request.query.get("also_to_room") in ("1", "true")
        result = await messages.send(core, bot, room, text, reply_to=thread, thread_only=not also)
    response = json_response(serialize_message(result.message, bot.id), status=201)
    response.headers["Location"] = f"/api/chat/messages/{result.message.id}/"
    return response


def setup(app: web.Application) -> None:
    add_routes(
        app,
        ERROR,
        [
            Route("GET", "/api/chat/bots/", list_bots),
            Route("POST", "/api/chat/bots/", create_bot),
            Route("PATCH", "/api/chat/bots/{bot_id}/", update_bot),
            Route("DELETE", "/api/chat/bots/{bot_id}/", delete_bot),
            Route("POST", "/api/chat/bots/{bot_id}/key/", regenerate_key),
        ],
    )
    add_routes(
        app, DETAIL, [Route("POST", "/rooms/{room}/{bot_key}/messages", bot_says, public=True)]
    )
