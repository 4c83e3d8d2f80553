"""Web Push devices, in channels style: the server's VAPID public key, and the caller's
own subscriptions (add, list, remove)."""

from __future__ import annotations

from aiohttp import web

from chat.core.reach import push
from chat.keys import core_key, pusher_key, user_key
from chat.models import PushSubscription
from chat.outbound.address import check_form
from chat.web.jsonio import json_response, read_json
from chat.web.routing import ERROR, Route, add_routes


def serialize_device(device: PushSubscription) -> dict:
    """The endpoint itself is a capability to push to the browser: only its host is shown."""
    host, _ = check_form(device.endpoint, len(device.endpoint))
    return {
        "id": device.id,
        "label": device.label,
        "push_service": host,
        "created_at": device.created_at,
    }


async def public_key(request: web.Request) -> web.Response:
    return json_response({"public_key": request.app[pusher_key].vapid.public_key})


async def add_device(request: web.Request) -> web.Response:
    body = await read_json(request)
    device = await push.subscribe(
        request.app[core_key],
        request[user_key],
        body.get("endpoint"),
        body.get("keys"),
        body.get("label"),
    )
    return json_response(serialize_device(device), status=201)


async def list_devices(request: web.Request) -> web.Response:
    found = await push.devices(request.app[core_key], request[user_key])
    return json_response([serialize_device(device) for device in found])


async def remove_device(request: web.Request) -> web.Response:
    await push.remove(request.app[core_key], request[user_key], request.match_info["id"])
    return web.Response(status=204)


def setup(app: web.Application) -> None:
    add_routes(
        app,
        ERROR,
        [
            Route("GET", "/api/chat/push/key/", public_key),
            Route("GET", "/api/chat/push/devices/", list_devices),
            Route("POST", "/api/chat/push/devices/", add_device),
            Route("DELETE", "/api/chat/push/devices/{id}/", remove_device),
        ],
    )
