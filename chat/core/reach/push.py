"""Web Push devices (subscribe, list, remove) and what a push says.

Delivery lives in chat/web/pusher.py; who is told, in core/away.py.
"""

from __future__ import annotations

import json

from chat.core import Core, Outcome
from chat.core.fields import check_int, check_text
from chat.db import push as push_sql
from chat.db import users as user_sql
from chat.errors import BadInput, Conflict, NotFound
from chat.i18n import title_in, translate
from chat.models import Notification, PushSubscription, User
from chat.outbound.address import Refused, check_form
from chat.push.encryption import public_key_from
from chat.push.vapid import unb64url

BODY_CHARS = 100
APP_NAME = "Teahouse"


def check_keys(keys) -> tuple[str, str]:
    if (
        not isinstance(keys, dict)
        or not isinstance(keys.get("p256dh"), str)
        or not isinstance(keys.get("auth"), str)
    ):
        raise BadInput("push_keys_invalid")
    try:
        public_key_from(unb64url(keys["p256dh"]))
        if len(unb64url(keys["auth"])) != 16:
            raise ValueError("auth must be 16 bytes")
    except (ValueError, TypeError):
        raise BadInput("push_keys_invalid") from None
    return keys["p256dh"], keys["auth"]


async def subscribe(core: Core, user: User, endpoint, keys, label="") -> PushSubscription:
    """A browser's PushSubscription (its toJSON()). The endpoint's form is checked now;
    its address is checked again on every send (DNS can change)."""
    endpoint = check_text("endpoint", endpoint, 1, core.settings.outbound_max_url)
    try:
        check_form(endpoint, core.settings.outbound_max_url)
    except Refused as exc:
        raise BadInput("push_endpoint_refused", reason=exc.reason) from None
    p256dh, auth = check_keys(keys)
    label = check_text("label", label or "", 0, 100)

    async def job(conn):
        mine = {s.endpoint for s in await push_sql.subscriptions_of(conn, user.id)}
        if endpoint not in mine and len(mine) >= core.settings.push_max_devices:
            raise Conflict("push_devices_full", limit=core.settings.push_max_devices)
        return Outcome(
            await push_sql.upsert_subscription(conn, user.id, endpoint, p256dh, auth, label)
        )

    return await core.commit(job)


async def devices(core: Core, user: User) -> list[PushSubscription]:
    return await devices_of(core, user.id)


async def devices_of(core: Core, user_id: int) -> list[PushSubscription]:
    """Where a notification for this user is pushed (the sender, chat/web/pusher.py)."""
    return await push_sql.subscriptions_of(core.db.reader, user_id)


async def language_of(core: Core, notification: Notification) -> str:
    """The language its recipient reads the server's texts in: their own, else the site's."""
    chosen = await user_sql.language_of(core.db.reader, notification.user_id)
    return chosen or core.settings.language


async def remove(core: Core, user: User, subscription_id) -> None:
    subscription_id = check_int("subscription_id", subscription_id, 1, 2**62)

    async def job(conn):
        if not await push_sql.delete_subscription(conn, user.id, subscription_id):
            raise NotFound("push_subscription_not_found")
        return Outcome(None)

    await core.commit(job)


async def forget(core: Core, endpoint: str) -> None:
    """The push service answered 404/410: the browser unsubscribed or the user revoked."""

    async def job(conn):
        return Outcome(await push_sql.forget_endpoint(conn, endpoint))

    await core.commit(job)


def payload(core: Core, notification: Notification, language: str) -> bytes:
    """What the service worker shows, in the recipient's language; with CHAT_PUSH_PRIVATE
    only "New message" (the push service and the device's lock screen see nothing of
    the conversation)."""
    room, message = notification.room, notification.message
    where = {
        "room_id": room.id if room else None,
        "message_id": message.id if message else None,
        "url": "/#"
        + (f"{room.id}/{message.id}" if room and message else str(room.id) if room else ""),
        "tag": f"room-{room.id}" if room else "teahouse",
    }
    if core.settings.push_private:
        shown = {"title": APP_NAME, "body": translate("push_private_body", language)}
    else:
        body, title = notification.content, title_in(notification, language)
        if message and room and room.room_type != "direct":
            title = f"{title} · {room.name}"
        shown = {
            "title": title,
            "body": body[:BODY_CHARS] + ("…" if len(body) > BODY_CHARS else ""),
        }
    return json.dumps({**shown, **where}, ensure_ascii=False).encode()
