"""Messages: send (with client_id idempotency), history, replay, delete, read marks."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from chat.core import Core, Outcome
from chat.core.conversation.mentions import check_group_mention
from chat.core.conversation.rooms import check_readable, join_in
from chat.core.conversation.thread_posts import after_change, after_reply
from chat.core.fields import (
    check_int,
    check_optional_id,
    check_text,
    check_unicode,
    has_surrogate,
    is_blank,
    without_bidi_controls,
)
from chat.core.files.file_access import check_may_link
from chat.core.integrations import bots
from chat.core.reach.notifications import notify_for_message
from chat.core.site import audit
from chat.db import memberships as membership_sql
from chat.db import messages as message_sql
from chat.db import notifications as notification_sql
from chat.db import pins as pin_sql
from chat.db import rooms as room_sql
from chat.db import uploads as upload_sql
from chat.errors import BadInput, Forbidden, NotFound
from chat.events import MessageDeleted, MessagePosted, MessageUnpinned, ReadMarked
from chat.models import MAX_CONTENT, Message, MessagePage, Room, SendResult, User

SENDABLE_TYPES = ("text", "image", "file")
MAX_CLIENT_ID = 64
MAX_PAGE_SIZE = 100
REPLAY_LIMIT = 1000  # a socket's since replays at most this many; further back: history_gap


def check_content(content) -> str:
    if content is None:
        raise BadInput("field_required", field="content")
    if not isinstance(content, str):
        raise BadInput("field_type", field="content", kind="a string")
    check_unicode("content", content)
    text = without_bidi_controls(content).strip()
    if not text:
        raise BadInput("content_empty")
    if is_blank(text):
        raise BadInput("content_blank")
    if len(text) > MAX_CONTENT:
        raise BadInput("content_too_long", limit=MAX_CONTENT)
    return text


def check_can_speak(membership) -> None:
    """Sending, editing and reacting take membership of the room and no mute."""
    if membership is None:
        raise Forbidden("not_a_member")
    if membership.is_muted:
        raise Forbidden("muted")


def can_moderate_message(user: User, message: Message, membership) -> bool:
    """The sender, the room's admins and moderators, and site admins."""
    own = message.sender is not None and message.sender.id == user.id
    return own or user.is_admin or bool(membership and membership.can_moderate)


def check_client_id(client_id) -> str | None:
    if client_id is None:
        return None
    if (
        not isinstance(client_id, str)
        or not 1 <= len(client_id) <= MAX_CLIENT_ID
        or has_surrogate(client_id)
    ):
        raise BadInput("client_id_invalid")
    return client_id


def check_message_type(message_type) -> str:
    # 'system' is the server's own: a client may not forge join/leave notices.
    if message_type not in SENDABLE_TYPES:
        raise BadInput("field_choice", field="message_type", choices=", ".join(SENDABLE_TYPES))
    return message_type


def check_file_url(file_url) -> str | None:
    if file_url in (None, ""):
        return None
    if not isinstance(file_url, str) or not (
        file_url.startswith("/uploads/chat/") or file_url.startswith(("https://", "http://"))
    ):
        raise BadInput("field_type", field="file_url", kind="an /uploads/ or http(s) URL")
    if file_url.startswith("/uploads/chat/"):
        file_url = file_url.partition("?")[0]  # a link signed for the sender is stored bare
    return check_unicode("file_url", file_url)[:2000]


async def check_message_budgets(core: Core, user: User) -> None:
    """The sender's own rate, then her address's: many accounts from one address
    (sign-ups in bulk) share a budget set well above what an office NAT sends."""
    await core.limits.check(user.id, "messages")
    await core.limits.check_address("address_messages")


async def send(
    core: Core,
    user: User,
    room_ref,
    content,
    message_type="text",
    reply_to=None,
    client_id=None,
    file_url=None,
    file_name=None,
    file_size=None,
    sender_name: str | None = None,
    text_key=None,
    mrkdwn: str | None = None,
    thread_only: bool = False,
) -> SendResult:
    """Store a message and publish it; a repeated client_id returns the stored one.
    text_key is the server's own (an upload's caption), never a client's.

    Sending to a public room one has not joined joins it first, as opening a socket does.
    sender_name (a webhook's per-message name) and mrkdwn (Slack's markup of the same
    text, from a webhook) are trusted: core callers only.
    """
    draft = Draft.check(
        content,
        message_type,
        reply_to,
        client_id,
        file_url,
        file_name,
        file_size,
        sender_name,
        mrkdwn,
        thread_only,
    )
    await check_message_budgets(core, user)

    async def job(conn):
        room, membership = await check_readable(conn, user, room_ref)
        events = []
        if membership is None:
            room, events = await join_in(core, conn, user, room.id)
            membership = await membership_sql.membership(conn, room.id, user.id)
        check_can_speak(membership)
        return await store(core, conn, user, room, draft, events, text_key)

    return await core.commit(job)


async def send_seated(
    core: Core,
    user: User,
    room: Room,
    still_seated: Callable[[], None],
    content,
    message_type="text",
    reply_to=None,
    client_id=None,
) -> SendResult:
    """A message from a socket's seat: the socket was admitted as a member and the hub
    keeps its seat true to every mute, ban and leave, so the write checks the seat
    (still_seated raises) instead of looking the membership up."""
    draft = Draft.check(content, message_type, reply_to, client_id)
    await check_message_budgets(core, user)

    async def job(conn):
        still_seated()
        return await store(core, conn, user, room, draft, [])

    return await core.commit(job)


@dataclass(frozen=True)
class Draft:
    """A message's checked fields, before it is stored."""

    content: str
    message_type: str
    reply_to: int | None
    client_id: str | None
    file_url: str | None = None
    file_name: str | None = None
    file_size: int | None = None
    sender_name: str | None = None
    mrkdwn: str | None = None
    thread_only: bool = False  # a reply kept out of the main timeline (threads.reply)

    @classmethod
    def check(
        cls,
        content,
        message_type,
        reply_to,
        client_id,
        file_url=None,
        file_name=None,
        file_size=None,
        sender_name=None,
        mrkdwn=None,
        thread_only=False,
    ) -> Draft:
        return cls(
            check_content(content),
            check_message_type(message_type or "text"),
            check_optional_id("reply_to", reply_to),
            check_client_id(client_id),
            check_file_url(file_url),
            None if file_name is None else check_text("file_name", file_name, 0, 10_000)[:255],
            None if file_size is None else check_int("file_size", file_size, 0, 2**40),
            sender_name,
            mrkdwn,
            thread_only and reply_to is not None,
        )


async def store(
    core: Core,
    conn,
    user: User,
    room: Room,
    draft: Draft,
    events: list,
    text_key: str | None = None,
) -> Outcome:
    """Insert inside the send transaction; only the work this message needs is done."""
    if room.is_archived:
        raise Forbidden("room_archived")
    await check_group_mention(conn, core.settings.all_mention_limit, user, room, draft.content)
    thread_id = None
    if draft.reply_to is not None:
        original = await message_sql.message_by_id(conn, draft.reply_to)
        if original is None or original.room_id != room.id:
            raise BadInput("reply_elsewhere")
        thread_id = original.thread_id or original.id  # one level: a reply's root
    if name := uploaded_name(draft.file_url):
        await check_may_link(conn, user, name)
    try:
        message = await message_sql.insert_message(
            conn,
            room,
            user,
            draft.message_type,
            draft.content,
            reply_to=draft.reply_to,
            client_id=draft.client_id,
            file_url=draft.file_url,
            file_name=draft.file_name,
            file_size=draft.file_size,
            sender_name=draft.sender_name,
            text_key=text_key,
            mrkdwn=draft.mrkdwn,
            thread_id=thread_id,
            thread_only=draft.thread_only,
        )
    except message_sql.DuplicateClientId:
        earlier = await message_sql.message_by_client_id(conn, user.id, draft.client_id)
        return Outcome(SendResult(earlier, created=False))
    events.append(MessagePosted(room.id, message))
    told = await notify_for_message(core, conn, room, message)
    events += told
    if thread_id is not None:
        events += await after_reply(core, conn, room, message, told)
    events += await bots.addressed(core, conn, room, message)
    return Outcome(SendResult(message), events)


async def history_page(
    core: Core, user: User, room_ref, page=1, page_size=20, before=None, main_timeline=False
) -> MessagePage:
    """Page `page` counted from the newest, or (keyset) the page_size messages before
    the id `before`, which costs the same at any depth. main_timeline: without the
    thread-only replies (the page's room view; the seeds see the whole room)."""
    page = check_int("page", page, 1, 10**9, default=1)
    # Like DRF's max_page_size: a larger page_size is served as the largest page.
    page_size = min(check_int("page_size", page_size, 1, 10**9, default=20), MAX_PAGE_SIZE)
    before = check_optional_id("before", before)
    async with core.bounded_read() as conn:
        room, _ = await check_readable(conn, user, room_ref)
        if before is None:
            found = await message_sql.messages_page(conn, room.id, page, page_size, main_timeline)
        else:
            found = await message_sql.messages_before(
                conn, room.id, before, page_size, main_timeline
            )
        total = await message_sql.count_in_room(conn, room.id, main_timeline)
    return MessagePage(tuple(found), page, page_size, total)


async def history_before(core: Core, user: User, room_ref, before=None, limit=50) -> list[Message]:
    limit = check_int("limit", limit, 1, 100, default=50)
    before = check_optional_id("before", before)
    async with core.bounded_read() as conn:
        room, _ = await check_readable(conn, user, room_ref)
        return await message_sql.messages_before(conn, room.id, before, limit)


async def replay_fits(core: Core, room_id: int, after_id: int) -> bool:
    """A resume from after_id is at most REPLAY_LIMIT messages (else: refetch over REST)."""
    return not await message_sql.has_more_after(core.db.replays, room_id, after_id, REPLAY_LIMIT)


async def replay_after(core: Core, room_id: int, after_id: int, limit: int = 500) -> list[Message]:
    """Messages after after_id, oldest first; the caller already checked access."""
    return await message_sql.messages_after(core.db.replays, room_id, after_id, limit)


async def find_readable_message(conn, user: User, message_id) -> tuple[Message, object, object]:
    message_id = check_int("message_id", message_id, 1, 2**62)
    message = await message_sql.message_by_id(conn, message_id)
    if message is None:
        raise NotFound("message_not_found")
    try:
        room, membership = await check_readable(conn, user, message.room_id)
    except (Forbidden, NotFound):
        raise NotFound("message_not_found") from None
    return message, room, membership


async def delete(core: Core, user: User, message_id, room_ref=None) -> Message:
    """Soft delete by the sender, the room's admins and moderators, or a site admin.
    A room_ref that does not name the message's room finds no such message."""

    async def job(conn):
        message, room, membership = await find_readable_message(conn, user, message_id)
        if room_ref is not None:
            named = await room_sql.room_by_ref(conn, room_ref) if str(room_ref).strip() else None
            if named is None or named.id != room.id:
                raise NotFound("message_not_found")
        if not can_moderate_message(user, message, membership):
            raise Forbidden("cannot_delete_message")
        if message.is_deleted:
            return Outcome((message, None))
        await message_sql.soft_delete(conn, message.id, core.text("deleted_placeholder"))
        if message.sender is None or message.sender.id != user.id:  # a moderator's, not one's own
            await audit.record(
                conn,
                user,
                "message_deleted_by_moderator",
                message.sender,
                message_id=message.id,
                room_id=room.id,
                room=room.name,
            )
        name = uploaded_name(message.file_url)
        # Only the uploader's own message takes the file with it: anyone may link a file.
        if name and not await upload_sql.forget_upload_of(
            conn, name, message.sender and message.sender.id
        ):
            name = None
        deleted = await message_sql.message_by_id(conn, message.id)
        events = [MessageDeleted(room.id, deleted)]
        if deleted.thread_id is not None:
            events += await after_change(conn, deleted)
        if await pin_sql.forget_message(conn, message.id):
            events.append(MessageUnpinned(room.id, deleted))
        return Outcome((deleted, name), events)

    deleted, file_name = await core.commit(job)
    if file_name:  # a deleted message's file is no longer served, nor kept
        (core.settings.chat_uploads_dir / file_name).unlink(missing_ok=True)
    return deleted


def uploaded_name(file_url: str | None) -> str | None:
    """The stored name of a file we host, from its /uploads/chat/<name> URL."""
    prefix = "/uploads/chat/"
    if file_url and file_url.startswith(prefix) and "/" not in file_url[len(prefix) :]:
        return file_url[len(prefix) :]
    return None


async def mark_read(core: Core, user: User, message_id) -> Message:
    """Read this message and everything before it in its room, and so the notifications
    about them: a mention read in the room needs no second reading in the panel."""

    async def job(conn):
        message, room, membership = await find_readable_message(conn, user, message_id)
        await message_sql.record_read(conn, user.id, message.id)
        if membership is None:
            return Outcome(message)
        await membership_sql.mark_read(conn, room.id, user.id, message.id)
        await notification_sql.mark_read_upto(conn, user.id, room.id, message.id)
        unread = await membership_sql.unread_count(conn, room.id, user.id)
        return Outcome(message, [ReadMarked(room.id, user.id, message.id, unread)])

    return await core.commit(job)
