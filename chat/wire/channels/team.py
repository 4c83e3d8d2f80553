"""Channels-style shapes of the team features (issue 14): pins, saved messages,
statuses, scheduled messages, reminders and notification preferences."""

from __future__ import annotations

from chat.models import Membership, Pin, Reminder, SavedMessage, ScheduledMessage, Status
from chat.wire.channels.serialize import serialize_message, serialize_room_brief


def serialize_pin(pin: Pin, viewer_id: int | None = None) -> dict:
    by = pin.pinned_by
    return {
        "message": serialize_message(pin.message, viewer_id),
        "pinned_by": None if by is None else {"id": by.id, "username": by.username},
        "pinned_at": pin.pinned_at,
    }


def serialize_saved(saved: SavedMessage, viewer_id: int | None = None) -> dict:
    return {"message": serialize_message(saved.message, viewer_id), "saved_at": saved.saved_at}


def serialize_status(status: Status) -> dict:
    return {
        "user_id": status.user_id,
        "emoji": status.emoji,
        "text": status.text,
        "dnd": status.dnd,
        "expires_at": status.expires_at,
        "updated_at": status.updated_at,
    }


def serialize_scheduled(scheduled: ScheduledMessage) -> dict:
    return {
        "id": scheduled.id,
        "room": serialize_room_brief(scheduled.room_id, scheduled.room_name),
        "content": scheduled.content,
        "reply_to": scheduled.reply_to,
        "send_at": scheduled.send_at,
        "state": scheduled.state,
        "message_id": scheduled.message_id,
        "error": scheduled.error,
        "created_at": scheduled.created_at,
    }


def serialize_reminder(reminder: Reminder, viewer_id: int | None = None) -> dict:
    return {
        "id": reminder.id,
        "message": serialize_message(reminder.message, viewer_id),
        "remind_at": reminder.remind_at,
        "state": reminder.state,
        "created_at": reminder.created_at,
    }


def serialize_preferences(membership: Membership) -> dict:
    return {
        "room_id": membership.room_id,
        "notify_level": membership.notify_level,
        "room_muted": membership.room_muted,
    }
