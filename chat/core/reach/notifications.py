"""Notifications: mentions, replies, direct messages to absent members, invitations."""

from __future__ import annotations

import json

from chat.core import Core, Outcome
from chat.core.conversation.mentions import group_targets, named_members
from chat.core.fields import check_int, check_text
from chat.db import memberships as membership_sql
from chat.db import messages as message_sql
from chat.db import notifications as notification_sql
from chat.db import rooms as room_sql
from chat.db import users as user_sql
from chat.errors import Forbidden, NotFound
from chat.events import NotificationCreated
from chat.models import Message, Notification, Room, User

QUOTED = 200  # characters of the message a notification quotes


def titled(core: Core, key: str, **params) -> tuple[str, str, dict]:
    """A title the server writes: its text in the server's language, and its key and
    parameters, so each reader sees it in their own language."""
    return core.text(key, **params), key, params


async def create(
    conn,
    user_id: int,
    kind: str,
    title: str | tuple,
    content: str,
    room: Room | None,
    message: Message | None,
) -> NotificationCreated:
    """title: an admin's own text, or titled(...) for one the server writes."""
    text, key, params = title if isinstance(title, tuple) else (title, None, None)
    notification_id = await notification_sql.insert_notification(
        conn,
        user_id,
        kind,
        text,
        content[:QUOTED],
        room.id if room else None,
        message.id if message else None,
        key,
        params,
    )
    notification = (await load(conn, user_id, notification_id=notification_id))[0]
    return NotificationCreated(None, notification)


async def notify_for_message(core: Core, conn, room: Room, message: Message) -> list:
    """Inside the send transaction: who must hear about this message, as each member's
    notification level for the room allows."""
    if room.room_type != "direct" and not message.reply_to and "@" not in message.content:
        return []  # the common case costs no query
    sender = message.sender
    members = set(await membership_sql.member_ids(conn, room.id))
    targets: dict[int, tuple[str, tuple]] = {}
    if room.room_type == "direct":
        # A socket in another room does not show this message: only one in this room does.
        present = {user.id for user in core.hub.online_in(room.id)}
        for uid in members - {sender.id} - present:
            targets[uid] = ("message", titled(core, "notify_message", username=sender.name))
    personal: set[int] = set()
    if message.reply_to:
        original = await message_sql.message_by_id(conn, message.reply_to)
        replied = original.sender.id if original and original.sender else None
        if replied in members and replied != sender.id:
            targets[replied] = ("message", titled(core, "notify_reply", username=sender.name))
            personal.add(replied)
    mention = ("mention", titled(core, "notify_mention", username=sender.name))
    for uid in group_targets(core.hub, message.content, members) - {sender.id}:
        targets[uid] = mention
    for uid in await named_members(conn, message.content, members) - {sender.id}:
        targets[uid] = mention
    if targets:
        levels = await membership_sql.notify_levels(conn, room.id)
        targets = {
            uid: target
            for uid, target in targets.items()
            if wants(levels.get(uid, "default"), target[0] == "mention" or uid in personal)
        }
    return [
        await create(conn, uid, kind, title, message.content, room, message)
        for uid, (kind, title) in sorted(targets.items())
    ]


async def notify_followers(
    core: Core, conn, room: Room, message: Message, follower_ids: set[int]
) -> list:
    """A reply in a followed thread, at each follower's level for the room (the sender
    and those already told about this message by notify_for_message are left out)."""
    if not follower_ids:
        return []
    levels = await membership_sql.notify_levels(conn, room.id)
    title = titled(core, "notify_thread_reply", username=message.sender.name)
    return [
        await create(conn, uid, "message", title, message.content, room, message)
        for uid in sorted(follower_ids)
        if wants(levels.get(uid, "default"), False)
    ]


async def follow_edit(conn, message: Message) -> None:
    """Inside the edit transaction: a notification quotes the message as it reads now."""
    await notification_sql.follow_edit(conn, message.id, message.content[:QUOTED])


def wants(level: str, personal: bool) -> bool:
    """'default' and 'all': every notification row; 'mentions': mentions and replies;
    'nothing': none."""
    return level in ("default", "all") or (level == "mentions" and personal)


async def load(
    conn,
    user_id: int,
    unread_only: bool = False,
    limit: int = 50,
    notification_id: int | None = None,
) -> list[Notification]:
    rows = await notification_sql.notification_rows(
        conn, user_id, unread_only, limit, notification_id
    )
    found = []
    for row in rows:
        room = await room_sql.room_by_id(conn, row["room_id"]) if row["room_id"] else None
        message = (
            await message_sql.message_by_id(conn, row["message_id"]) if row["message_id"] else None
        )
        found.append(
            Notification(
                id=row["id"],
                user_id=row["user_id"],
                notification_type=row["notification_type"],
                title=row["title"],
                content=row["content"],
                room=room,
                message=message,
                is_read=bool(row["is_read"]),
                created_at=row["created_at"],
                title_key=row["title_key"],
                title_params=json.loads(row["title_params"] or "{}"),
            )
        )
    return found


async def list_for(
    core: Core, user: User, unread_only: bool = False, limit=50
) -> list[Notification]:
    limit = check_int("limit", limit, 1, 200, default=50)
    return await load(core.db.reader, user.id, unread_only, limit)


async def unread_count(core: Core, user: User) -> int:
    return await notification_sql.unread_count(core.db.reader, user.id)


async def mark_read(core: Core, user: User, notification_id) -> None:
    notification_id = check_int("notification_id", notification_id, 1, 2**62)

    async def job(conn):
        if not await notification_sql.mark_read(conn, user.id, notification_id):
            raise NotFound("notification_not_found")
        return Outcome(None)

    await core.commit(job)


async def mark_all_read(core: Core, user: User) -> int:
    async def job(conn):
        return Outcome(await notification_sql.mark_all_read(conn, user.id))

    return await core.commit(job)


async def announce(core: Core, admin: User, title, content="") -> int:
    """A site admin's announcement: a 'system' notification to every user."""
    if not admin.is_admin:
        raise Forbidden("admin_only")
    title = check_text("title", title, 1, 200)
    content = check_text("content", content or "", 0, 200)

    async def job(conn):
        events = [
            await create(conn, user_id, "system", title, content, None, None)
            for user_id in await user_sql.all_user_ids(conn)
        ]
        return Outcome(len(events), events)

    return await core.commit(job)
