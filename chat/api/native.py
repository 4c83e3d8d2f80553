"""The native extensions, in channels style (trailing slash, {"error": ...}, 201 on
creation): edits, reactions, search, invitations, direct rooms, room and member changes.

Shapes reuse the channels serializers; what only these endpoints answer is built here.
"""

from __future__ import annotations

from aiohttp import web

from chat.core.conversation import edits, moderation, reactions, rooms, search
from chat.core.reach import notifications
from chat.i18n import message_text, translate
from chat.keys import core_key, user_key
from chat.models import MessageEdit, SearchHit
from chat.web.auth import request_language
from chat.web.jsonio import json_response, read_json
from chat.web.replies import room_action
from chat.web.routing import ERROR, Route, add_routes
from chat.wire.channels.serialize import (
    serialize_membership,
    serialize_message,
    serialize_reactions,
    serialize_room,
    serialize_user,
)


def serialize_edit(edit: MessageEdit) -> dict:
    return {
        "content": edit.previous_content,
        "edited_by": serialize_user(edit.edited_by),
        "edited_at": edit.edited_at,
    }


def serialize_hit(hit: SearchHit, viewer_id: int) -> dict:
    """The message, its room with slug, and the snippet: escaped text with <mark> tags."""
    message = hit.message
    return {
        **serialize_message(message, viewer_id),
        "room": {"id": message.room_id, "slug": message.room_slug, "name": message.room_name},
        "snippet": hit.snippet,
    }


async def edit_message(request: web.Request) -> web.Response:
    body = await read_json(request)
    user = request[user_key]
    message = await edits.edit(
        request.app[core_key], user, request.match_info["id"], body.get("content")
    )
    return json_response(serialize_message(message, user.id))


async def message_edits(request: web.Request) -> web.Response:
    message, found = await edits.history(
        request.app[core_key], request[user_key], request.match_info["id"]
    )
    return json_response(
        {
            "message_id": message.id,
            "content": message_text(message),
            "edits": [serialize_edit(edit) for edit in found],
        }
    )


async def toggle_reaction(request: web.Request) -> web.Response:
    body = await read_json(request)
    user = request[user_key]
    emoji = body.get("emoji")
    message, added = await reactions.toggle(
        request.app[core_key], user, request.match_info["id"], emoji
    )
    return json_response(
        {
            "message_id": message.id,
            "emoji": emoji,
            "added": added,
            "reactions": serialize_reactions(message.reactions, user.id),
        },
        status=201 if added else 200,
    )


async def search_messages(request: web.Request) -> web.Response:
    user, query = request[user_key], request.query
    results = await search.search(
        request.app[core_key],
        user,
        query.get("q"),
        query.get("room_id"),
        query.get("before"),
        query.get("limit"),
    )
    return json_response(
        {
            "results": [serialize_hit(hit, user.id) for hit in results.hits],
            "next_before": results.next_before,
        }
    )


async def invite(request: web.Request) -> web.Response:
    body = await read_json(request)
    invited = await moderation.invite(
        request.app[core_key], request[user_key], request.match_info["room"], body.get("username")
    )
    text = translate("invited", request_language(request), username=invited.peer.username)
    return json_response(
        {
            "message": text,
            "room": serialize_room(invited.room),
            "user": serialize_user(invited.peer),
        },
        status=201 if invited.created else 200,
    )


decline_invitation = room_action(moderation.decline, "invitation_declined")


async def open_direct(request: web.Request) -> web.Response:
    body = await read_json(request)
    opened = await moderation.open_direct(
        request.app[core_key], request[user_key], body.get("username")
    )
    return json_response(
        {**serialize_room(opened.room), "peer": serialize_user(opened.peer)},
        status=201 if opened.created else 200,
    )


async def update_room(request: web.Request) -> web.Response:
    body = await read_json(request)
    changes = {key: body[key] for key in rooms.CHANGEABLE_FIELDS if key in body}
    room = await rooms.update_room(
        request.app[core_key],
        request[user_key],
        request.match_info["room"],
        body.get("name"),
        body.get("description"),
        changes,
    )
    return json_response(serialize_room(room))


async def update_member(request: web.Request) -> web.Response:
    body = await read_json(request)
    room, membership = await moderation.update_member(
        request.app[core_key],
        request[user_key],
        request.match_info["room"],
        request.match_info["user_id"],
        body.get("role"),
        body.get("is_muted"),
        body.get("is_banned"),
    )
    return json_response(serialize_membership(membership, room))


async def announce(request: web.Request) -> web.Response:
    body = await read_json(request)
    count = await notifications.announce(
        request.app[core_key], request[user_key], body.get("title"), body.get("content")
    )
    return json_response({"count": count}, status=201)


async def unread_notifications(request: web.Request) -> web.Response:
    count = await notifications.unread_count(request.app[core_key], request[user_key])
    return json_response({"unread_count": count})


def setup(app: web.Application) -> None:
    add_routes(
        app,
        ERROR,
        [
            Route("PATCH", "/api/chat/messages/{id}/", edit_message),
            Route("GET", "/api/chat/messages/{id}/edits/", message_edits),
            Route("POST", "/api/chat/messages/{id}/reactions/", toggle_reaction),
            Route("GET", "/api/chat/search/", search_messages),
            Route("POST", "/api/chat/rooms/{room}/invite/", invite),
            Route("POST", "/api/chat/rooms/{room}/decline/", decline_invitation),
            Route("POST", "/api/chat/direct/", open_direct),
            Route("PATCH", "/api/chat/rooms/{room}/", update_room),
            Route("PATCH", "/api/chat/rooms/{room}/members/{user_id}/", update_member),
            Route("POST", "/api/chat/notifications/announce/", announce),
            Route("GET", "/api/chat/notifications/unread_count/", unread_notifications),
        ],
    )
