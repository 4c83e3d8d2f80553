"""Who is told about a notification while away from every tab: one rule for Web Push
(and for email when it comes, with its own delay).

A notification row has already passed notifications.notify_for_message: members only,
never the sender, the room's notification level. Away adds, on current data when the
grace period is over: the user has no live socket, has not read it in any tab, is not on
do-not-disturb, can still read the room, and a muted room lets only mentions and replies
through (as its badge does in the page). Invitations pass for a room not yet joined.
"""

from __future__ import annotations

import math
import time

from chat.clock import iso_utc
from chat.core.conversation.rooms import check_readable
from chat.core.reach import notifications
from chat.db import statuses as status_sql
from chat.db import users as user_sql
from chat.errors import ChatError
from chat.hub import Hub
from chat.models import Notification

AWAY_KINDS = frozenset({"message", "mention", "room_invite"})


def is_personal(notification: Notification) -> bool:
    return (
        notification.notification_type in ("mention", "room_invite")
        or notification.title_key == "notify_reply"
    )


def away_seconds(hub: Hub, user_id: int, room_id: int | None) -> float | None:
    """How long the user has had no socket; None while one is open in this process or,
    with several processes, while the backplane's presence shows them in the room."""
    if hub.has_socket(user_id) or (room_id is not None and hub.is_online_in(room_id, user_id)):
        return None
    left = hub.left_at.get(user_id)
    return math.inf if left is None else time.monotonic() - left


def wait_before_telling(hub: Hub, notification: Notification, grace: float) -> float | None:
    """Seconds to wait before the away check, or None when nobody is to be told."""
    if notification.notification_type not in AWAY_KINDS:
        return None
    room_id = notification.room.id if notification.room else None
    away = away_seconds(hub, notification.user_id, room_id)
    return None if away is None else max(0.0, grace - away)


async def still_away_and_wanted(core, notification: Notification) -> bool:
    """The check when the grace period is over."""
    room = notification.room
    if away_seconds(core.hub, notification.user_id, room.id if room else None) is None:
        return False
    conn = core.db.reader
    current = await notifications.load(conn, notification.user_id, notification_id=notification.id)
    if not current or current[0].is_read:
        return False
    status = await status_sql.status_of(conn, notification.user_id, iso_utc())
    if status is not None and status.dnd:
        return False
    if room is None:
        return False
    if notification.notification_type == "room_invite":
        return True
    user = await user_sql.user_by_id(conn, notification.user_id)
    if user is None or not user.is_active:
        return False
    try:
        _, membership = await check_readable(conn, user, room.id)
    except ChatError:
        return False
    if membership is None:
        return False
    return is_personal(notification) or not membership.room_muted
