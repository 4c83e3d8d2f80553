"""REST for the team features (issue 14), in channels style (trailing slash,
{"error": ...}, 201 on creation): pins, saved messages, notification preferences,
status and do-not-disturb, scheduled messages and reminders."""

from __future__ import annotations

from aiohttp import web

from chat.core.conversation import pins, preferences, schedule
from chat.core.people import statuses
from chat.keys import core_key, user_key
from chat.web.jsonio import json_response, read_json
from chat.web.routing import ERROR, Route, add_routes
from chat.wire.channels.team import (
    serialize_pin,
    serialize_preferences,
    serialize_reminder,
    serialize_saved,
    serialize_scheduled,
    serialize_status,
)


async def room_pins(request: web.Request) -> web.Response:
    user = request[user_key]
    found = await pins.pins(request.app[core_key], user, request.match_info["room"])
    return json_response([serialize_pin(pin, user.id) for pin in found])


async def pin_message(request: web.Request) -> web.Response:
    user = request[user_key]
    pin, created = await pins.pin(request.app[core_key], user, request.match_info["id"])
    return json_response(serialize_pin(pin, user.id), status=201 if created else 200)


async def unpin_message(request: web.Request) -> web.Response:
    removed = await pins.unpin(request.app[core_key], request[user_key], request.match_info["id"])
    return json_response(
        {"message_id": int(request.match_info["id"]), "pinned": False, "removed": removed}
    )


async def saved_messages(request: web.Request) -> web.Response:
    user = request[user_key]
    found = await pins.saved(request.app[core_key], user, request.query.get("limit"))
    return json_response([serialize_saved(saved, user.id) for saved in found])


async def save_message(request: web.Request) -> web.Response:
    user = request[user_key]
    saved = await pins.save(request.app[core_key], user, request.match_info["id"])
    return json_response(serialize_saved(saved, user.id), status=201)


async def unsave_message(request: web.Request) -> web.Response:
    removed = await pins.unsave(request.app[core_key], request[user_key], request.match_info["id"])
    return json_response(
        {"message_id": int(request.match_info["id"]), "saved": False, "removed": removed}
    )


async def room_notifications(request: web.Request) -> web.Response:
    body = await read_json(request)
    membership = await preferences.set_notifications(
        request.app[core_key],
        request[user_key],
        request.match_info["room"],
        body.get("notify_level"),
        body.get("room_muted"),
    )
    return json_response(serialize_preferences(membership))


async def list_statuses(request: web.Request) -> web.Response:
    found = await statuses.statuses(request.app[core_key], request[user_key])
    return json_response([serialize_status(status) for status in found])


async def my_status(request: web.Request) -> web.Response:
    return json_response(
        serialize_status(await statuses.my_status(request.app[core_key], request[user_key]))
    )


async def set_status(request: web.Request) -> web.Response:
    body = await read_json(request)
    status = await statuses.set_status(
        request.app[core_key],
        request[user_key],
        body.get("emoji"),
        body.get("text"),
        body.get("dnd", False),
        body.get("expires_at"),
    )
    return json_response(serialize_status(status))


async def clear_status(request: web.Request) -> web.Response:
    return json_response(
        serialize_status(await statuses.clear_status(request.app[core_key], request[user_key]))
    )


async def list_scheduled(request: web.Request) -> web.Response:
    found = await schedule.scheduled_messages(
        request.app[core_key], request[user_key], request.query.get("state", "pending")
    )
    return json_response([serialize_scheduled(item) for item in found])


async def schedule_message(request: web.Request) -> web.Response:
    body = await read_json(request)
    scheduled = await schedule.schedule_message(
        request.app[core_key],
        request[user_key],
        request.match_info["room"],
        body.get("content"),
        body.get("send_at"),
        body.get("reply_to"),
    )
    return json_response(serialize_scheduled(scheduled), status=201)


async def cancel_scheduled(request: web.Request) -> web.Response:
    cancelled = await schedule.cancel_scheduled(
        request.app[core_key], request[user_key], request.match_info["id"]
    )
    return json_response(serialize_scheduled(cancelled))


async def list_reminders(request: web.Request) -> web.Response:
    user = request[user_key]
    found = await schedule.reminders(request.app[core_key], user)
    return json_response([serialize_reminder(item, user.id) for item in found])


async def remind_message(request: web.Request) -> web.Response:
    body = await read_json(request)
    user = request[user_key]
    reminder = await schedule.remind(
        request.app[core_key], user, request.match_info["id"], body.get("remind_at")
    )
    return json_response(serialize_reminder(reminder, user.id), status=201)


async def cancel_reminder(request: web.Request) -> web.Response:
    user = request[user_key]
    cancelled = await schedule.cancel_reminder(
        request.app[core_key], user, request.match_info["id"]
    )
    return json_response(serialize_reminder(cancelled, user.id))


def setup(app: web.Application) -> None:
    add_routes(
        app,
        ERROR,
        [
            Route("GET", "/api/chat/rooms/{room}/pins/", room_pins),
            Route("POST", "/api/chat/messages/{id}/pin/", pin_message),
            Route("DELETE", "/api/chat/messages/{id}/pin/", unpin_message),
            Route("GET", "/api/chat/saved/", saved_messages),
            Route("POST", "/api/chat/messages/{id}/save/", save_message),
            Route("DELETE", "/api/chat/messages/{id}/save/", unsave_message),
            Route("PATCH", "/api/chat/rooms/{room}/notifications/", room_notifications),
            Route("GET", "/api/chat/statuses/", list_statuses),
            Route("GET", "/api/chat/status/", my_status),
            Route("PUT", "/api/chat/status/", set_status),
            Route("DELETE", "/api/chat/status/", clear_status),
            Route("GET", "/api/chat/scheduled/", list_scheduled),
            Route("POST", "/api/chat/rooms/{room}/scheduled/", schedule_message),
            Route("DELETE", "/api/chat/scheduled/{id}/", cancel_scheduled),
            Route("GET", "/api/chat/reminders/", list_reminders),
            Route("POST", "/api/chat/messages/{id}/reminders/", remind_message),
            Route("DELETE", "/api/chat/reminders/{id}/", cancel_reminder),
        ],
    )
