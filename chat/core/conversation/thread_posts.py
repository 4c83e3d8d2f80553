"""What a reply in a thread does besides being stored, inside the send (or delete)
transaction: who follows, who is told, and the frames of the root's new summary and of
each follower's new counts. The counters themselves move in triggers (migration 0021).

Called by messages.store and messages.delete; it never sends or deletes itself.
"""

from __future__ import annotations

from chat.core import Core
from chat.core.conversation.mentions import named_members
from chat.core.reach.notifications import notify_followers
from chat.db import memberships as membership_sql
from chat.db import messages as message_sql
from chat.db import threads as thread_sql
from chat.events import NotificationCreated, ThreadStateChanged, ThreadUpdated
from chat.models import Message, Room


async def after_reply(core: Core, conn, room: Room, message: Message, told: list) -> list:
    """Follows (the replier; the root's sender when the thread starts; those @-named),
    mention counts, the followers' notifications, then the frames. told: the
    notifications notify_for_message already made for this message."""
    root_id = message.thread_id
    sender_id = message.sender.id
    await thread_sql.note_replier(conn, root_id, sender_id)
    await thread_sql.follow(conn, sender_id, root_id, room.id, None)
    root = await message_sql.message_by_id(conn, root_id)
    newcomers = set()
    if root.thread.reply_count == 1 and root.sender is not None:
        newcomers.add(root.sender.id)
    mentioned = set()
    if "@" in message.content:
        members = set(await membership_sql.member_ids(conn, room.id))
        mentioned = await named_members(conn, message.content, members) - {sender_id}
        newcomers |= mentioned
    for uid in sorted(newcomers - {sender_id}):
        seat = await membership_sql.membership(conn, room.id, uid)
        if seat is not None and not seat.is_banned:
            await thread_sql.follow(conn, uid, root_id, room.id, message.id)
    await thread_sql.count_mention(conn, root_id, mentioned)
    states = await thread_sql.followers(conn, root_id)
    already = {e.notification.user_id for e in told if isinstance(e, NotificationCreated)}
    to_tell = {uid for uid, _ in states} - already - {sender_id}
    events = await notify_followers(core, conn, room, message, to_tell)
    return [*events, *thread_frames(root, states)]


async def after_change(conn, message: Message) -> list:
    """A reply was deleted (or a root's text changed): the new summary and counts."""
    root = await message_sql.message_by_id(conn, message.thread_id or message.id)
    if root is None or root.thread is None:
        return []
    return thread_frames(root, await thread_sql.followers(conn, root.id))


def thread_frames(root: Message, states) -> list:
    return [
        ThreadUpdated(root.room_id, root.thread),
        *(ThreadStateChanged(root.room_id, uid, follow) for uid, follow in states),
    ]
