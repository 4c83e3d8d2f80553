"""Guest accounts over REST (docs/guests.md). Adding a guest (an account, or an
invitation link) is for site admins, and room admins where the site allows it; the
list, conversion and expiry are the site admins' (channels style, {"error": ...}).
Signing up through a link is /api/auth/guest ({"detail": ...}, like registration).
"""

from __future__ import annotations

from aiohttp import web

from chat.api.admin import search
from chat.api.identity import serialize_user, signed_in
from chat.core.site import guest_admin, guest_links
from chat.keys import core_key, user_key
from chat.models import User
from chat.web.jsonio import json_response, read_json
from chat.web.routing import DETAIL, ERROR, Route, add_routes


def serialize_guest(user: User, last_login_at: str | None = None, rooms=()) -> dict:
    return {
        **serialize_user(user),
        "is_active": user.is_active,
        "guest_until": user.guest_until,
        "last_login_at": last_login_at,
        "rooms": list(rooms),
    }


async def invite(request: web.Request) -> web.Response:
    body = await read_json(request)
    user = await guest_admin.invite(
        request.app[core_key],
        request[user_key],
        body.get("username"),
        body.get("password"),
        body.get("display_name"),
        body.get("rooms"),
        body.get("guest_until"),
    )
    return json_response(serialize_guest(user), status=201)


async def create_link(request: web.Request) -> web.Response:
    body = await read_json(request, allow_empty=True)
    link = await guest_links.create(
        request.app[core_key],
        request[user_key],
        body.get("rooms"),
        body.get("hours"),
        body.get("guest_until"),
    )
    return json_response(
        {"id": link.id, "url": link.url, "expires_at": link.expires_at, "rooms": link.rooms},
        status=201,
    )


async def list_guests(request: web.Request) -> web.Response:
    return await search(request, guest_admin.list_guests, lambda row: serialize_guest(*row))


async def update_guest(request: web.Request) -> web.Response:
    """{"is_guest": bool} converts; {"guest_until": time|null} sets a guest's expiry."""
    body = await read_json(request)
    core, admin, user_id = request.app[core_key], request[user_key], request.match_info["id"]
    if "is_guest" in body:
        user = await guest_admin.convert(
            core, admin, user_id, body["is_guest"], body.get("guest_until")
        )
    else:
        user = await guest_admin.set_expiry(core, admin, user_id, body.get("guest_until"))
    return json_response(serialize_guest(user))


async def sign_up(request: web.Request) -> web.Response:
    body = await read_json(request)
    tokens = await guest_links.sign_up(
        request.app[core_key],
        body.get("invitation"),
        body.get("username"),
        body.get("password"),
        body.get("display_name"),
    )
    return signed_in(request, tokens, status=201)


def setup(app: web.Application) -> None:
    add_routes(
        app,
        ERROR,
        [
            Route("POST", "/api/chat/guests/", invite),
            Route("POST", "/api/chat/guest-links/", create_link),
            Route("GET", "/api/chat/admin/guests/", list_guests),
            Route("PATCH", "/api/chat/admin/users/{id}/guest/", update_guest),
        ],
    )
    add_routes(app, DETAIL, [Route("POST", "/api/auth/guest", sign_up, public=True)])
