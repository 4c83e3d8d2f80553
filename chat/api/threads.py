"""Threads over REST, channels style (docs/threads.md): a thread's pages and replies,
follow and unfollow, read marks, the Threads view and a room's main timeline.
Parse, one core call, serialize."""

from __future__ import annotations

from aiohttp import web

from chat.core.conversation import messages, threads
from chat.keys import core_key, user_key
from chat.models import ThreadFollow
from chat.web.jsonio import json_response, read_json
from chat.web.routing import ERROR, Route, add_routes
from chat.wire.channels.serialize import serialize_message, serialize_page, serialize_thread


def serialize_follow(follow: ThreadFollow) -> dict:
    return {
        "root_id": follow.root_id,
        "room_id": follow.room_id,
        "following": follow.following,
        "last_read_id": follow.last_read_id,
        "unread_count": follow.unread_count,
        "mention_count": follow.mention_count,
    }


async def thread_messages(request: web.Request) -> web.Response:
    user, query = request[user_key], request.query
    page = await threads.thread_page(
        request.app[core_key],
        user,
        request.match_info["id"],
        query.get("before"),
        query.get("after"),
        query.get("limit"),
    )
    return json_response(
        {
            "root": serialize_message(page.root, user.id),
            "thread": serialize_thread(page.root.thread),
            "follow": serialize_follow(page.follow),
            "results": [serialize_message(m, user.id) for m in page.replies],
            "has_more": page.has_more,
        }
    )


async def post_reply(request: web.Request) -> web.Response:
    body = await read_json(request)
    user = request[user_key]
    result = await threads.reply(
        request.app[core_key],
        user,
        request.match_info["id"],
        body.get("content"),
        body.get("also_to_room", False),
        body.get("client_id"),
        body.get("message_type", "text"),
        body.get("file_url"),
        body.get("file_name"),
        body.get("file_size"),
    )
    return json_response(
        serialize_message(result.message, user.id), status=201 if result.created else 200
    )


async def followed_threads(request: web.Request) -> web.Response:
    user, query = request[user_key], request.query
    entries, unread_threads, mentions = await threads.followed_view(
        request.app[core_key], user, query.get("limit"), query.get("offset")
    )
    return json_response(
        {
            "results": [
                {
                    "root": serialize_message(entry.root, user.id),
                    "thread": serialize_thread(entry.root.thread),
                    "follow": serialize_follow(entry.follow),
                }
                for entry in entries
            ],
            "unread_threads": unread_threads,
            "mention_count": mentions,
        }
    )


async def follow(request: web.Request) -> web.Response:
    state, changed = await threads.follow(
        request.app[core_key], request[user_key], request.match_info["id"], True
    )
    return json_response(serialize_follow(state), status=201 if changed else 200)


async def unfollow(request: web.Request) -> web.Response:
    state, _ = await threads.follow(
        request.app[core_key], request[user_key], request.match_info["id"], False
    )
    return json_response(serialize_follow(state))


async def mark_read(request: web.Request) -> web.Response:
    body = await read_json(request, allow_empty=True)
    state = await threads.mark_read(
        request.app[core_key], request[user_key], request.match_info["id"], body.get("message_id")
    )
    return json_response(serialize_follow(state))


async def room_timeline(request: web.Request) -> web.Response:
    user, query = request[user_key], request.query
    page = await messages.history_page(
        request.app[core_key],
        user,
        request.match_info["room"],
        query.get("page"),
        query.get("page_size"),
        query.get("before"),
        main_timeline=True,
    )
    return json_response(serialize_page(page, user.id))


def setup(app: web.Application) -> None:
    add_routes(
        app,
        ERROR,
        [
            Route("GET", "/api/chat/threads/", followed_threads),
            Route("GET", "/api/chat/threads/{id}/messages/", thread_messages),
            Route("POST", "/api/chat/threads/{id}/messages/", post_reply),
            Route("PUT", "/api/chat/threads/{id}/follow/", follow),
            Route("DELETE", "/api/chat/threads/{id}/follow/", unfollow),
            Route("POST", "/api/chat/threads/{id}/read/", mark_read),
            Route("GET", "/api/chat/rooms/{room}/timeline/", room_timeline),
        ],
    )
