"""A member's notification preferences for one room, stored per membership.

The level: 'default' (direct messages, replies and mentions notify, as before), 'all'
(the same rows, and the web client alerts for every message), 'mentions' (replies and
mentions only: no rows for direct messages), 'nothing'. "Mute room" hides the room's
unread badge except for mentions.
"""

from __future__ import annotations

from chat.core import Core, Outcome
from chat.core.conversation.rooms import check_readable
from chat.db import memberships as membership_sql
from chat.errors import BadInput, Forbidden
from chat.events import PreferencesChanged
from chat.models import Membership, User

LEVELS = ("default", "all", "mentions", "nothing")


async def set_notifications(
    core: Core, user: User, room_ref, notify_level=None, room_muted=None
) -> Membership:
    """Change what is given (None keeps the stored value); only members have preferences."""
    if notify_level is not None and notify_level not in LEVELS:
        raise BadInput("field_choice", field="notify_level", choices=", ".join(LEVELS))
    if room_muted is not None and not isinstance(room_muted, bool):
        raise BadInput("field_type", field="room_muted", kind="a boolean")

    async def job(conn):
        room, membership = await check_readable(conn, user, room_ref)
        if membership is None:
            raise Forbidden("not_a_member")
        await membership_sql.update_notify(
            conn,
            room.id,
            user.id,
            notify_level or membership.notify_level,
            membership.room_muted if room_muted is None else room_muted,
        )
        changed = await membership_sql.membership(conn, room.id, user.id)
        return Outcome(
            changed,
            [PreferencesChanged(room.id, user.id, changed.notify_level, changed.room_muted)],
        )

    return await core.commit(job)
