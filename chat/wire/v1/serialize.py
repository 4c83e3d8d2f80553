"""v1 shapes, field for field as seed 000 shows them. A room's is_public is its
room_type; is_admin is the caller's membership role; system messages carry is_system."""

from __future__ import annotations

from chat.i18n import message_text
from chat.models import Membership, Message, Room, RoomDetail, RoomListing, User


def serialize_user(user: User | None) -> dict | None:
    if user is None:
        return None
    return {"id": user.id, "username": user.username, "avatar_url": user.avatar_url}


def serialize_room(room: Room, membership: Membership | None) -> dict:
    return {
        "id": room.id,
        "name": room.name,
        "description": room.description,
        "is_public": room.is_public,
        "is_official": room.is_official,
        "created_by": room.creator.id if room.creator else None,
        "created_at": room.created_at,
        "updated_at": room.updated_at,
        "creator": serialize_user(room.creator),
        "member_count": room.member_count,
        "is_member": membership is not None,
        "is_admin": membership is not None and membership.is_admin,
    }


def serialize_listing(listing: RoomListing) -> dict:
    return serialize_room(listing.room, listing.membership)


def serialize_member(membership: Membership) -> dict:
    return {
        "id": membership.id,
        "room_id": membership.room_id,
        "user_id": membership.user.id,
        "is_admin": membership.is_admin,
        "joined_at": membership.joined_at,
        "last_read_at": membership.last_read_at,
        "user": serialize_user(membership.user),
    }


def serialize_message(message: Message) -> dict:
    return {
        "id": message.id,
        "room_id": message.room_id,
        "user_id": message.sender.id if message.sender else None,
        "content": message_text(message),
        "is_system": message.message_type == "system",
        "created_at": message.created_at,
        "user": serialize_user(message.sender),
    }


def serialize_detail(detail: RoomDetail) -> dict:
    return {
        **serialize_room(detail.room, detail.membership),
        "members": [serialize_member(m) for m in detail.members],
        "latest_messages": [serialize_message(m) for m in detail.latest_messages],
    }
