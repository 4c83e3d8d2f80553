"""Incoming webhooks: a room admin creates one and gets a secret key; whoever holds
the key posts into that room as the hook's own bot user.

The key is shown once (on creation and regeneration) and stored as a digest. A hook
can only ever post into its own room: Slack's "channel" field is ignored.

A hook is its creator's tool, not a way around her limits: its posts count against
its own rate, its room's and its creator's (one member with 40 hooks gets no more than
one hook's worth), hooks per room and per user are capped, and it posts only while its
creator may post in its room (docs/integrations.md).
"""

from __future__ import annotations

import hashlib
import math
import secrets
import time
from collections import deque

from chat.core import Core, Outcome
from chat.core.conversation import messages
from chat.core.conversation.rooms import check_readable, check_room_admin
from chat.core.fields import check_int, check_text
from chat.core.integrations.slack import override_name, render_payload, thread_of
from chat.core.people import guests
from chat.core.site import audit
from chat.db import hooks as hook_sql
from chat.db import memberships as membership_sql
from chat.db import users as user_sql
from chat.errors import BadInput, Conflict, Forbidden, NotFound, TooManyRequests
from chat.models import Hook, Message, User

WINDOW = 60.0


def new_key() -> tuple[str, str]:
    """A fresh secret and its digest (the digest is what the database keeps)."""
    key = secrets.token_urlsafe(24)
    return key, digest(key)


def digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


async def check_hook_admin(conn, user: User, room_ref):
    room, membership = await check_readable(conn, user, room_ref)
    check_room_admin(user, room, membership)
    if room.room_type == "direct":  # two people and nobody else, ever
        raise BadInput("direct_room_closed")
    return room


async def find_hook(conn, room_id: int, hook_id) -> Hook:
    hook = await hook_sql.hook_by_id(conn, room_id, check_int("hook_id", hook_id, 1, 2**62))
    if hook is None:
        raise NotFound("hook_not_found")
    return hook


async def create(core: Core, user: User, room_ref, name) -> tuple[Hook, str]:
    guests.check_may_create(user)
    name = check_text("name", name, 1, 64)
    key, key_digest = new_key()

    async def job(conn):
        room = await check_hook_admin(conn, user, room_ref)
        await check_hook_caps(core, conn, user, room)
        bot = await user_sql.insert_user(
            conn, f"hook-{secrets.token_hex(6)}", name, None, False, is_bot=True
        )
        await membership_sql.insert_membership(conn, room.id, bot.id, "member")
        hook_id = await hook_sql.insert_hook(conn, room.id, bot.id, name, key_digest, user.id)
        await audit.record(
            conn,
            user,
            "webhook_created",
            ("webhook", hook_id, name),
            room_id=room.id,
            room=room.name,
        )
        return Outcome(await hook_sql.hook_by_id(conn, room.id, hook_id))

    return await core.commit(job), key


async def check_hook_caps(core: Core, conn, user: User, room) -> None:
    """A hook's user is a member like any other: a full room takes no more hooks."""
    if room.is_full:
        raise BadInput("room_full")
    in_room, by_user = await hook_sql.hook_counts(conn, room.id, user.id)
    if core.settings.hooks_per_room and in_room >= core.settings.hooks_per_room:
        raise Conflict("too_many_hooks_room", limit=core.settings.hooks_per_room)
    if core.settings.hooks_per_user and by_user >= core.settings.hooks_per_user:
        raise Conflict("too_many_hooks_user", limit=core.settings.hooks_per_user)


async def list_hooks(core: Core, user: User, room_ref) -> list[Hook]:
    room = await check_hook_admin(core.db.reader, user, room_ref)
    return await hook_sql.hooks_of_room(core.db.reader, room.id)


async def rename(core: Core, user: User, room_ref, hook_id, name) -> Hook:
    name = check_text("name", name, 1, 64)

    async def job(conn):
        room = await check_hook_admin(conn, user, room_ref)
        await hook_sql.rename_hook(conn, await find_hook(conn, room.id, hook_id), name)
        return Outcome(await find_hook(conn, room.id, hook_id))

    return await core.commit(job)


async def regenerate(core: Core, user: User, room_ref, hook_id) -> tuple[Hook, str]:
    """A new key; the old URL stops working at once."""
    key, key_digest = new_key()

    async def job(conn):
        room = await check_hook_admin(conn, user, room_ref)
        hook = await find_hook(conn, room.id, hook_id)
        await hook_sql.set_hook_digest(conn, hook.id, key_digest)
        await audit.record(
            conn,
            user,
            "webhook_key_regenerated",
            ("webhook", hook.id, hook.name),
            room_id=room.id,
            room=room.name,
        )
        return Outcome(hook)

    return await core.commit(job), key


async def delete(core: Core, user: User, room_ref, hook_id) -> None:
    async def job(conn):
        room = await check_hook_admin(conn, user, room_ref)
        hook = await find_hook(conn, room.id, hook_id)
        await hook_sql.delete_hook(conn, hook)
        await audit.record(
            conn,
            user,
            "webhook_deleted",
            ("webhook", hook.id, hook.name),
            room_id=room.id,
            room=room.name,
        )
        return Outcome(None)

    await core.commit(job)


def check_rate(core: Core, hook: Hook) -> None:
    """At most hook_rate_per_minute messages per hook in any 60 s: a leaked key or a
    looping alert cannot flood the room."""
    now = time.monotonic()
    stamps = core.integrations.hook_windows.setdefault(hook.id, deque())
    while stamps and stamps[0] <= now - WINDOW:
        stamps.popleft()
    if len(stamps) >= core.settings.hook_rate_per_minute:
        raise TooManyRequests("hook_rate_limited", seconds=math.ceil(stamps[0] + WINDOW - now))
    stamps.append(now)


async def check_shared_budgets(core: Core, hook: Hook) -> None:
    """The room's and the creator's budgets for hook posts, shared by all their hooks."""
    await core.limits.check(hook.room_id, "hook_room", "hook_rate_limited")
    await core.limits.check(hook.created_by, "hook_creator", "hook_rate_limited")


async def post(core: Core, key: str, payload: dict) -> Message:
    """Post a Slack-style payload as the hook whose key this is."""
    hook = await hook_sql.hook_by_digest(core.db.reader, digest(key)) if key else None
    if hook is None:
        raise NotFound("no_such_hook")
    if not hook.active:  # acts with its creator's rights at the time of each post
        raise Forbidden("hook_creator_cannot_post")
    check_rate(core, hook)  # before rendering: a refused post costs no parsing
    await check_shared_budgets(core, hook)
    text, markup = render_payload(payload)
    reply_to, thread_only = thread_of(payload)
    result = await messages.send(
        core,
        hook.bot,
        hook.room_id,
        text,
        reply_to=reply_to,
        sender_name=override_name(payload),
        mrkdwn=markup,
        thread_only=thread_only,
    )

    async def touch(conn):
        await hook_sql.touch_hook(conn, hook.id)
        return Outcome(None)

    await core.commit(touch)
    return result.message
