"""Incoming webhooks: managing them (channels style, room admins) and the Slack/
Mattermost-compatible door /hooks/{key} that CI servers and monitoring post to.

The door answers exactly what those tools check: 200, text/plain, "ok"; errors are
Slack's plain-text strings (invalid_payload, no_such_hook, no_text, ...).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qs

from aiohttp import web

from chat.core.integrations import hooks
from chat.errors import BadInput, TooLarge
from chat.i18n import translate
from chat.keys import core_key, user_key
from chat.models import Hook
from chat.web.auth import request_language
from chat.web.jsonio import json_response, loads, read_json
from chat.web.routing import ERROR, ErrorStyle, Route, add_routes
from chat.wire.channels.serialize import serialize_user

# Slack's own error strings for what our core reports under other names.
SLACK_TEXT = {
    "muted": "action_prohibited",
    "not_a_member": "action_prohibited",
    "banned": "action_prohibited",
    "room_forbidden": "action_prohibited",
    "room_not_found": "channel_not_found",
    "content_too_long": "msg_too_long",
    "hook_rate_limited": "rate_limited",
    "hook_creator_cannot_post": "action_prohibited",
}
SLACK_KEYS = {"no_such_hook", "invalid_payload", "no_text", "rate_limited", "payload_too_large"}
BY_STATUS = {
    400: "invalid_payload",
    401: "action_prohibited",
    403: "action_prohibited",
    404: "no_such_hook",
    413: "payload_too_large",
    429: "rate_limited",
}


@dataclass(frozen=True)
class SlackStyle(ErrorStyle):
    """Errors as Slack sends them: a plain-text code, not JSON."""

    def response(self, request: web.Request, key: str, status: int, **params) -> web.Response:
        text = (
            key
            if key in SLACK_KEYS
            else SLACK_TEXT.get(key) or BY_STATUS.get(status, "internal_error")
        )
        return web.Response(text=text, status=status, content_type="text/plain")


SLACK = SlackStyle("text")


def serialize_hook(request: web.Request, hook: Hook, key: str | None = None) -> dict:
    """The secret URL appears only when a key was just made: it is stored as a digest."""
    body = {
        "id": hook.id,
        "room_id": hook.room_id,
        "name": hook.name,
        "user": serialize_user(hook.bot),
        "created_by": hook.created_by,
        "created_at": hook.created_at,
        "last_used_at": hook.last_used_at,
        "active": hook.active,
    }
    if key is not None:
        path = f"/hooks/{key}"
        body.update(key=key, path=path, url=str(request.url.with_path(path).with_query(None)))
    return body


async def list_hooks(request: web.Request) -> web.Response:
    found = await hooks.list_hooks(
        request.app[core_key], request[user_key], request.match_info["room"]
    )
    return json_response([serialize_hook(request, hook) for hook in found])


async def create_hook(request: web.Request) -> web.Response:
    body = await read_json(request)
    hook, key = await hooks.create(
        request.app[core_key], request[user_key], request.match_info["room"], body.get("name")
    )
    return json_response(serialize_hook(request, hook, key), status=201)


async def rename_hook(request: web.Request) -> web.Response:
    body = await read_json(request)
    hook = await hooks.rename(
        request.app[core_key],
        request[user_key],
        request.match_info["room"],
        request.match_info["hook_id"],
        body.get("name"),
    )
    return json_response(serialize_hook(request, hook))


async def regenerate_hook(request: web.Request) -> web.Response:
    hook, key = await hooks.regenerate(
        request.app[core_key],
        request[user_key],
        request.match_info["room"],
        request.match_info["hook_id"],
    )
    return json_response(serialize_hook(request, hook, key))


async def delete_hook(request: web.Request) -> web.Response:
    await hooks.delete(
        request.app[core_key],
        request[user_key],
        request.match_info["room"],
        request.match_info["hook_id"],
    )
    return json_response({"message": translate("hook_deleted", request_language(request))})


async def read_limited(request: web.Request, limit: int) -> bytes:
    """The body, refused (413) past limit without reading the rest into memory."""
    if (request.content_length or 0) > limit:
        raise TooLarge("payload_too_large", limit=limit)
    body = bytearray()
    async for chunk in request.content.iter_chunked(64 * 1024):
        body += chunk
        if len(body) > limit:
            raise TooLarge("payload_too_large", limit=limit)
    return bytes(body)


def parse_payload(raw: bytes, content_type: str) -> dict:
    """JSON, or a form whose "payload" field holds the JSON (Slack's older form).

    `curl -d '{"text": ...}'` labels a JSON body as a form: a form without a payload
    field is read as JSON, as Mattermost does."""
    if content_type == "application/x-www-form-urlencoded":
        try:
            form = parse_qs(raw.decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            raise BadInput("invalid_payload") from None
        raw = form["payload"][0].encode() if "payload" in form else raw
    return loads(raw, "invalid_payload")


async def post_to_hook(request: web.Request) -> web.Response:
    core = request.app[core_key]
    raw = await read_limited(request, core.settings.hook_max_bytes)
    await hooks.post(core, request.match_info["key"], parse_payload(raw, request.content_type))
    return web.Response(text="ok", content_type="text/plain")


def setup(app: web.Application) -> None:
    add_routes(
        app,
        ERROR,
        [
            Route("GET", "/api/chat/rooms/{room}/hooks/", list_hooks),
            Route("POST", "/api/chat/rooms/{room}/hooks/", create_hook),
            Route("PATCH", "/api/chat/rooms/{room}/hooks/{hook_id}/", rename_hook),
            Route("DELETE", "/api/chat/rooms/{room}/hooks/{hook_id}/", delete_hook),
            Route("POST", "/api/chat/rooms/{room}/hooks/{hook_id}/regenerate/", regenerate_hook),
        ],
    )
    add_routes(app, SLACK, [Route("POST", "/hooks/{key}", post_to_hook, public=True)])
