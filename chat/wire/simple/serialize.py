"""Simple-dialect shapes (seed 003): message ids as strings, rooms by slug, senders by
username. Extensions (room_id, is_edited, is_deleted, client_id) are additive."""

from __future__ import annotations

from chat.i18n import message_text
from chat.models import Message, OnlineUser, RoomListing, Stats


def serialize_message(message: Message) -> dict:
    sender = message.sender
    return {
        "id": str(message.id),
        "sender_id": sender.id if sender else None,
        "sender_name": sender.username if sender else None,
        "is_bot": bool(sender and sender.is_bot),
        "message_type": message.message_type,
        "content": message_text(message),
        "file_url": message.file_url,
        "file_name": message.file_name,
        "file_size": message.file_size,
        "timestamp": message.created_at,
        "reply_to": None if message.reply_to is None else str(message.reply_to),
        "room_id": message.room_slug,
        "is_edited": message.is_edited,
        "is_deleted": message.is_deleted,
        "client_id": message.client_id,
    }


def serialize_room(listing: RoomListing, member_ids: list[int]) -> dict:
    room = listing.room
    last = listing.last_message
    return {
        "id": room.slug,
        "name": room.name,
        "description": room.description,
        "members": member_ids,
        "created_at": room.created_at,
        "last_message": None if last is None else serialize_message(last),
    }


def serialize_online_user(online: OnlineUser) -> dict:
    return {
        "user_id": online.user.id,
        "username": online.user.username,
        "ip": online.ip,
        "user_agent": online.user_agent,
        "login_time": online.login_time,
        "last_activity": online.last_activity,
    }


def serialize_stats(stats: Stats) -> dict:
    return {
        "online_users_count": stats.online_users_count,
        "total_messages_today": stats.total_messages_today,
        "active_rooms": stats.active_rooms,
    }
