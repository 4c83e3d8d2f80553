"""Join and leave notices that stay linear: the system message a join or a leave
writes, and the coalesced notices of large rooms.

A room of at most CHAT_JOIN_NOTICE_THRESHOLD members (counted before the change) gets
one notice per person, as the seeds show. Above it the room's join_notices setting
decides: 'always' keeps one per person, 'never' writes none, and 'coalesced' (the
default) notes the change in member_notices and writes at most one notice per room per
CHAT_JOIN_NOTICE_INTERVAL naming the first two and counting the rest. Each join's
frames of membership and presence still go out as before: only the stored line,
which every member would otherwise receive, is coalesced.
"""

from __future__ import annotations

import asyncio
import logging
import time

from chat.core import Core, Outcome, log_failure
from chat.db import member_notices as notice_sql
from chat.db import messages as message_sql
from chat.db import rooms as room_sql
from chat.errors import BadInput
from chat.events import Event, MessagePosted
from chat.i18n import MEMBERS_KEY, members_text
from chat.models import Room, User

log = logging.getLogger(__name__)
MODES = ("always", "coalesced", "never")
MAX_POLL = 1.0  # seconds: a due room waits at most this long past its interval
NAMED = 2  # people named in a coalesced notice; the rest are counted


def check_mode(value) -> str:
    if value not in MODES:
        raise BadInput("field_choice", field="join_notices", choices=", ".join(MODES))
    return value


async def noticed(core: Core, conn, room: Room, user: User, event: str) -> list[Event]:
    """Inside the transaction of user's join or leave ('join' | 'leave'); room as it
    was before the change. The events to publish: the notice, when one is written now."""
    if room.member_count <= core.settings.join_notice_threshold or room.join_notices == "always":
        note = await message_sql.insert_message(
            conn,
            room,
            user,
            "system",
            core.text(f"system_{event}", username=user.name),
            system_event=event,
            text_key=f"system_{event}",
        )
        return [MessagePosted(room.id, note)]
    if room.join_notices == "coalesced":
        await notice_sql.insert_pending(conn, room.id, user.id, event, time.time())
    return []


async def flush_due(core: Core) -> int:
    """Write the notice of every room whose oldest waiting change is an interval old;
    how many were written. Any process may call it: the rows are taken inside the
    write transaction, so two processes never announce the same changes."""
    cutoff = time.time() - core.settings.join_notice_interval
    if not await notice_sql.due_rooms(core.db.reader, cutoff):
        return 0

    async def job(conn):
        events = []
        for room_id in await notice_sql.due_rooms(conn, cutoff):
            taken = await notice_sql.take_due(conn, room_id, cutoff)
            room = await room_sql.room_by_id(conn, room_id)
            if taken and room is not None and room.join_notices == "coalesced":
                events.append(MessagePosted(room.id, await _write(core, conn, room, taken)))
        return Outcome(len(events), events)

    return await core.commit(job)


async def _write(core: Core, conn, room: Room, taken: list[tuple[str, User]]):
    joined = [user for event, user in taken if event == "join"]
    left = [user for event, user in taken if event == "leave"]
    params = {
        "joined": [user.name for user in joined[:NAMED]],
        "joined_count": len(joined),
        "left": [user.name for user in left[:NAMED]],
        "left_count": len(left),
    }
    first, event = (joined[0], "join") if joined else (left[0], "leave")
    return await message_sql.insert_message(
        conn,
        room,
        first,
        "system",
        members_text(core.settings.language, **params),
        system_event=event,
        text_key=MEMBERS_KEY,
        text_params=params,
    )


async def run(core: Core) -> None:
    """Until cancelled: look for due rooms a few times per interval (at most a second
    apart). Polling, not an alarm: the changes may come from another process."""
    pause = min(MAX_POLL, core.settings.join_notice_interval / 4)
    while True:
        try:
            await flush_due(core)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # logged; the rows wait for the next try
            log_failure(log, "coalesced join notices failed", exc)
        await asyncio.sleep(pause)
