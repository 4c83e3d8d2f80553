"""Threads: reply in a thread, a thread's pages, follow and unfollow, per-thread read
marks and the Threads view. (The room's main timeline, the room without its thread-only
replies, is messages.history_page with main_timeline.)

A thread is a root and its replies, one level deep: replying to a reply joins the
root's thread (messages.store decides the root). Every read goes through
find_readable_message, so someone who cannot read the room finds no thread at all.
"""

from __future__ import annotations

from chat.core import Core, Outcome
from chat.core.conversation import messages
from chat.core.conversation.messages import MAX_PAGE_SIZE, find_readable_message
from chat.core.fields import check_int, check_optional_id
from chat.db import messages as message_sql
from chat.db import notifications as notification_sql
from chat.db import thread_messages as thread_message_sql
from chat.db import threads as thread_sql
from chat.errors import BadInput, Forbidden
from chat.events import ThreadStateChanged
from chat.models import (
    Message,
    SendResult,
    ThreadEntry,
    ThreadFollow,
    ThreadPage,
    User,
)

MAX_VIEW_SIZE = 200


def root_of(message: Message) -> int:
    return message.thread_id or message.id


async def reply(
    core: Core,
    user: User,
    message_id,
    content,
    also_to_room=False,
    client_id=None,
    message_type="text",
    file_url=None,
    file_name=None,
    file_size=None,
) -> SendResult:
    """A reply to message_id (the root or one of its replies), thread-only unless
    also_to_room (Slack's "also send to channel")."""
    if not isinstance(also_to_room, bool):
        raise BadInput("field_type", field="also_to_room", kind="a boolean")
    async with core.bounded_read() as conn:
        parent, room, _ = await find_readable_message(conn, user, message_id)
    return await messages.send(
        core,
        user,
        room.id,
        content,
        message_type,
        reply_to=parent.id,
        client_id=client_id,
        file_url=file_url,
        file_name=file_name,
        file_size=file_size,
        thread_only=not also_to_room,
    )


async def thread_page(core: Core, user: User, message_id, before=None, after=None, limit=50):
    """The newest page of replies, an older one (before) or those after a known reply
    (after: the per-thread resume), each listed oldest first."""
    limit = min(check_int("limit", limit, 1, 10**9, default=50), MAX_PAGE_SIZE)
    before, after = check_optional_id("before", before), check_optional_id("after", after)
    if before is not None and after is not None:
        raise BadInput("field_choice", field="before/after", choices="one of them")
    async with core.bounded_read() as conn:
        found, room, _ = await find_readable_message(conn, user, message_id)
        root = (
            found
            if found.thread_id is None
            else await message_sql.message_by_id(conn, found.thread_id)
        )
        if after is not None:
            replies = await thread_message_sql.replies_after(conn, root.id, after, limit + 1)
            has_more, replies = len(replies) > limit, replies[:limit]
        else:
            replies = await thread_message_sql.replies_before(conn, root.id, before, limit + 1)
            has_more, replies = len(replies) > limit, replies[-limit:]
        follow = await thread_sql.follow_state(conn, user.id, root.id, room.id)
    return ThreadPage(root, follow, tuple(replies), has_more)


async def follow(core: Core, user: User, message_id, following: bool) -> tuple[ThreadFollow, bool]:
    """Follow (everything read) or unfollow by hand; (state, changed)."""

    async def job(conn):
        found, room, membership = await find_readable_message(conn, user, message_id)
        if membership is None:
            raise Forbidden("not_a_member")
        root_id = root_of(found)
        before = await thread_sql.follow_state(conn, user.id, root_id, room.id)
        if following:
            await thread_sql.follow(conn, user.id, root_id, room.id, None)
        else:
            await thread_sql.unfollow(conn, user.id, root_id)
        state = await thread_sql.follow_state(conn, user.id, root_id, room.id)
        changed = before.following != state.following
        events = [ThreadStateChanged(room.id, user.id, state)] if changed else []
        return Outcome((state, changed), events)

    return await core.commit(job)


async def mark_read(core: Core, user: User, message_id, upto=None) -> ThreadFollow:
    """Read the thread up to a reply (default: its last), and the notifications about
    those replies; the user's other tabs hear the new counts."""

    async def job(conn):
        found, room, _ = await find_readable_message(conn, user, message_id)
        root_id = root_of(found)
        state = await thread_sql.follow_state(conn, user.id, root_id, room.id)
        mark = check_optional_id("message_id", upto)
        summary = (await message_sql.message_by_id(conn, root_id)).thread
        last = summary.last_reply_id if summary else 0
        # never past the last reply: a later one must still count as unread
        mark = last if mark is None else min(mark, last)
        if not mark:
            return Outcome(state)
        await thread_sql.mark_read(conn, user.id, root_id, mark)
        await notification_sql.mark_thread_read_upto(conn, user.id, root_id, mark)
        state = await thread_sql.follow_state(conn, user.id, root_id, room.id)
        return Outcome(state, [ThreadStateChanged(room.id, user.id, state)])

    return await core.commit(job)


async def followed_view(core: Core, user: User, limit=50, offset=0):
    """The Threads view: followed threads, unread first; (entries, unread threads,
    mentions). Counters only: no thread is counted."""
    limit = min(check_int("limit", limit, 1, 10**9, default=50), MAX_VIEW_SIZE)
    offset = check_int("offset", offset, 0, 10**9, default=0)
    async with core.bounded_read() as conn:
        follows = await thread_sql.followed(conn, user.id, limit, offset)
        roots = await message_sql.messages_by_ids(conn, [f.root_id for f in follows])
        totals = await thread_sql.followed_totals(conn, user.id)
    entries = [ThreadEntry(roots[f.root_id], f) for f in follows if f.root_id in roots]
    return entries, *totals
