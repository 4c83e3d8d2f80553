"""Send later and reminders.

A scheduled message is stored with its time and sent by the server at that time
through messages.send, the normal path with every check (still a member, not muted,
rate limits, @all rules). Every process (on every host) runs the scheduler, so each
due row is first claimed with a lease by one atomic UPDATE (the winner sends; a winner
that dies lets it go when CLAIM_SECONDS are up). Its client_id "scheduled:<id>" makes
the send idempotent: a crash between the send and the bookkeeping sends nothing twice
after a restart. A reminder becomes a notification about its message at its time,
claimed by the UPDATE that ends it.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from chat.clock import iso_utc, now
from chat.core import Core, Outcome
from chat.core.conversation.messages import (
    check_can_speak,
    check_content,
    find_readable_message,
    send,
)
from chat.core.conversation.rooms import check_readable
from chat.core.fields import check_future_time, check_int, check_optional_id
from chat.core.reach.notifications import create, titled
from chat.core.site.leases import OWNER, lease_times
from chat.db import memberships as membership_sql
from chat.db import rooms as room_sql
from chat.db import schedule as schedule_sql
from chat.db import users as user_sql
from chat.errors import (
    BadInput,
    ChatError,
    Conflict,
    Forbidden,
    InsufficientStorage,
    NotFound,
    TooManyRequests,
    Unavailable,
)
from chat.events import ReminderChanged, ScheduledChanged
from chat.i18n import translate
from chat.models import Reminder, ScheduledMessage, User

log = logging.getLogger(__name__)
BATCH = 50
RETRY_SECONDS = 10  # a send refused for a passing reason (rate limit, storage) is retried then
CLAIM_SECONDS = 60.0  # a claimed scheduled message is another process's to send after this


async def schedule_message(
    core: Core, user: User, room_ref, content, send_at, reply_to=None
) -> ScheduledMessage:
    """Checked now as a send would be, and again when it is sent."""
    content = check_content(content)
    send_at = check_future_time("send_at", send_at)
    reply_to = check_optional_id("reply_to", reply_to)

    async def job(conn):
        room, membership = await check_readable(conn, user, room_ref)
        check_can_speak(membership)
        limit = core.settings.max_scheduled
        if await schedule_sql.pending_scheduled_count(conn, user.id) >= limit:
            raise Conflict("scheduled_limit", limit=limit)
        scheduled_id = await schedule_sql.insert_scheduled(
            conn, user.id, room.id, content, reply_to, send_at
        )
        scheduled = await schedule_sql.scheduled_by_id(conn, scheduled_id)
        return Outcome(scheduled, [ScheduledChanged(None, scheduled)])

    scheduled = await core.commit(job)
    core.alarm.set()
    return scheduled


async def scheduled_messages(core: Core, user: User, state="pending") -> list[ScheduledMessage]:
    if state not in ("pending", "sent", "failed", "cancelled"):
        raise BadInput("field_choice", field="state", choices="pending, sent, failed, cancelled")
    return await schedule_sql.scheduled_of(core.db.reader, user.id, state)


async def cancel_scheduled(core: Core, user: User, scheduled_id) -> ScheduledMessage:
    return await cancel_pending(
        core,
        user,
        scheduled_id,
        schedule_sql.scheduled_by_id,
        schedule_sql.finish_scheduled,
        "scheduled_not_found",
        ScheduledChanged,
    )


async def cancel_pending(core: Core, user: User, item_id, by_id, finish_row, missing: str, changed):
    """Cancel one of the user's own pending items (scheduled message or reminder); someone
    else's item is reported as missing so ids reveal nothing."""
    item_id = check_int("id", item_id, 1, 2**62)

    async def job(conn):
        found = await by_id(conn, item_id)
        if found is None or found.user_id != user.id:
            raise NotFound(missing)
        if not await finish_row(conn, found.id, "cancelled"):
            raise BadInput("field_choice", field="state", choices="pending")
        cancelled = await by_id(conn, found.id)
        return Outcome(cancelled, [changed(None, cancelled)])

    return await core.commit(job)


async def send_due(core: Core) -> int:
    """Send every scheduled message whose time has come; how many were handled."""
    due = await schedule_sql.due_scheduled(core.db.reader, iso_utc(), BATCH)
    for scheduled in due:
        if await claim(core, scheduled):
            await send_one(core, scheduled)
    return len(due)


async def claim(core: Core, scheduled: ScheduledMessage) -> bool:
    """True when this process won the row (another may have, on this host or another)."""

    async def job(conn):
        return Outcome(
            await schedule_sql.claim_scheduled(
                conn, scheduled.id, OWNER, *lease_times(CLAIM_SECONDS)
            )
        )

    return await core.commit(job)


async def send_one(core: Core, scheduled: ScheduledMessage) -> None:
    user = await user_sql.user_by_id(core.db.reader, scheduled.user_id)
    membership = await membership_sql.membership(core.db.reader, scheduled.room_id, user.id)
    if membership is None or membership.is_banned:
        # Sending would rejoin a public room the author chose to leave: that is refused.
        await finish(core, scheduled, "failed", error=Forbidden("not_a_member"))
        return
    try:
        result = await send(
            core,
            user,
            scheduled.room_id,
            scheduled.content,
            reply_to=scheduled.reply_to,
            client_id=f"scheduled:{scheduled.id}",
        )
    except (TooManyRequests, Unavailable, InsufficientStorage):
        await postpone(core, scheduled)  # passing refusals: try again shortly
        return
    except ChatError as exc:
        await finish(core, scheduled, "failed", error=exc)
        return
    await finish(core, scheduled, "sent", message_id=result.message.id)


async def postpone(core: Core, scheduled: ScheduledMessage) -> None:
    later = iso_utc(now() + timedelta(seconds=RETRY_SECONDS))

    async def job(conn):
        await schedule_sql.postpone_scheduled(conn, scheduled.id, later)
        return Outcome(None)

    await core.commit(job)


async def finish(
    core: Core,
    scheduled: ScheduledMessage,
    state: str,
    message_id=None,
    error: ChatError | None = None,
) -> None:
    """Record the outcome; a failure also becomes a notification to its author."""
    reason = translate(error.key, core.settings.language, **error.params) if error else None

    async def job(conn):
        if not await schedule_sql.finish_scheduled(conn, scheduled.id, state, message_id, reason):
            return Outcome(None)  # cancelled meanwhile
        done = await schedule_sql.scheduled_by_id(conn, scheduled.id)
        events = [ScheduledChanged(None, done)]
        if error is not None:
            room = await room_sql.room_by_id(conn, scheduled.room_id)
            title = titled(core, "notify_schedule_failed", room=scheduled.room_name, reason=reason)
            events.append(
                await create(
                    conn, scheduled.user_id, "system", title, scheduled.content, room, None
                )
            )
        return Outcome(None, events)

    await core.commit(job)


async def remind(core: Core, user: User, message_id, remind_at) -> Reminder:
    remind_at = check_future_time("remind_at", remind_at)

    async def job(conn):
        message, _, _ = await find_readable_message(conn, user, message_id)
        if message.is_deleted:
            raise BadInput("message_deleted")
        limit = core.settings.max_scheduled
        if await schedule_sql.pending_reminder_count(conn, user.id) >= limit:
            raise Conflict("reminder_limit", limit=limit)
        reminder_id = await schedule_sql.insert_reminder(conn, user.id, message.id, remind_at)
        reminder = await schedule_sql.reminder_by_id(conn, reminder_id)
        return Outcome(reminder, [ReminderChanged(None, reminder)])

    reminder = await core.commit(job)
    core.alarm.set()
    return reminder


async def reminders(core: Core, user: User) -> list[Reminder]:
    return await schedule_sql.reminders_of(core.db.reader, user.id)


async def cancel_reminder(core: Core, user: User, reminder_id) -> Reminder:
    return await cancel_pending(
        core,
        user,
        reminder_id,
        schedule_sql.reminder_by_id,
        schedule_sql.finish_reminder,
        "reminder_not_found",
        ReminderChanged,
    )


async def remind_due(core: Core) -> int:
    """Notify every reminder whose time has come, if its message is still there and
    readable by its user (else it ends quietly)."""
    if not await schedule_sql.due_reminders(core.db.reader, iso_utc(), 1):
        return 0  # the common case: no write transaction at all

    async def job(conn):
        events = []
        due = await schedule_sql.due_reminders(conn, iso_utc(), BATCH)
        for reminder in due:
            if not await schedule_sql.finish_reminder(conn, reminder.id, "done"):
                continue  # ended by another process meanwhile (two hosts, PostgreSQL)
            events.append(
                ReminderChanged(None, await schedule_sql.reminder_by_id(conn, reminder.id))
            )
            user = await user_sql.user_by_id(conn, reminder.user_id)
            if user is None:
                continue
            try:
                message, room, _ = await find_readable_message(conn, user, reminder.message.id)
            except ChatError:
                continue
            if message.is_deleted:
                continue
            sender = message.sender.username if message.sender else "?"
            events.append(
                await create(
                    conn,
                    user.id,
                    "system",
                    titled(core, "notify_reminder", username=sender),
                    message.content,
                    room,
                    message,
                )
            )
        return Outcome(len(due), events)

    return await core.commit(job)
