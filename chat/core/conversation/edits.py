"""Editing one's own messages, and who may read the versions an edit replaced.

Every edit keeps the text it replaced in message_edits; the search index follows the
new text (triggers in the schema). The room hears a MessageUpdated event.
"""

from __future__ import annotations

from chat.core import Core, Outcome
from chat.core.conversation import previews
from chat.core.conversation.messages import (
    can_moderate_message,
    check_can_speak,
    check_content,
    find_readable_message,
)
from chat.core.reach.notifications import follow_edit
from chat.db import messages as message_sql
from chat.db import users as user_sql
from chat.errors import BadInput, Forbidden
from chat.events import MessageUpdated
from chat.models import Membership, Message, MessageEdit, User


def check_editable(user: User, message: Message, membership: Membership | None) -> None:
    """Only the author, still a member and not muted, edits a live, non-system message.

    Muted members may not edit: an edit would be a way round the mute.
    """
    if message.sender is None or message.sender.id != user.id or message.message_type == "system":
        raise Forbidden("cannot_edit_message")
    if message.is_deleted:
        raise BadInput("message_deleted")
    check_can_speak(membership)


async def edit(core: Core, user: User, message_id, content) -> Message:
    """Replace the content; the same text again changes nothing."""
    content = check_content(content)

    async def job(conn):
        message, room, membership = await find_readable_message(conn, user, message_id)
        check_editable(user, message, membership)
        if content == message.content:
            return Outcome(message)
        await message_sql.edit_content(conn, message.id, content, message.content, user.id)
        await previews.follow_edit(conn, message, content)
        edited = await message_sql.message_by_id(conn, message.id)
        await follow_edit(conn, edited)
        added = previews.added_by_edit(core, message, edited)
        return Outcome(edited, [MessageUpdated(room.id, edited, added)])

    return await core.commit(job)


async def history(core: Core, user: User, message_id) -> tuple[Message, list[MessageEdit]]:
    """The earlier versions, oldest first: for the author, room moderators, site admins."""
    conn = core.db.reader
    message, _, membership = await find_readable_message(conn, user, message_id)
    if not can_moderate_message(user, message, membership):
        raise Forbidden("edits_forbidden")
    rows = await message_sql.edit_history(conn, message.id)
    editors = {
        uid: await user_sql.user_by_id(conn, uid)
        for uid in {row["edited_by"] for row in rows if row["edited_by"]}
    }
    return message, [
        MessageEdit(row["previous_content"], editors.get(row["edited_by"]), row["edited_at"])
        for row in rows
    ]
