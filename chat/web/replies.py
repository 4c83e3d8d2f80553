"""Replies the dialects share: a translated {"message": ...}, and room actions (join,
leave, delete) that make one core call and answer with such a message."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web

from chat.i18n import translate
from chat.keys import core_key, user_key
from chat.web.auth import request_language
from chat.web.jsonio import json_response

RoomCall = Callable[..., Awaitable[object]]


def said(request: web.Request, key: str, status: int = 200) -> web.Response:
    return json_response({"message": translate(key, request_language(request))}, status=status)


def room_action(action: RoomCall, key: str):
    """A handler: action(core, user, room from the path), then the message `key`."""

    async def handler(request: web.Request) -> web.Response:
        await action(request.app[core_key], request[user_key], request.match_info["room"])
        return said(request, key)

    handler.__name__ = f"{action.__name__}_room"
    return handler
