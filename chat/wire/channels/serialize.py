"""Channels-dialect shapes. Every field name follows seeds 001/002/004; extensions
(slug, is_member, unread_count, reactions, client_id, the thread fields) are additive."""

from __future__ import annotations

from chat.i18n import message_text, notification_title
from chat.models import (
    LinkPreview,
    Membership,
    Message,
    MessagePage,
    Notification,
    Reaction,
    Room,
    RoomDetail,
    RoomListing,
    ThreadSummary,
    User,
)


def serialize_user_brief(user: User | None) -> dict | None:
    if user is None:
        return None
    return {"id": user.id, "username": user.username}


def serialize_user(user: User | None) -> dict | None:
    if user is None:
        return None
    first, _, last = user.display_name.partition(" ")
    return {
        "id": user.id,
        "username": user.username,
        "first_name": first,
        "last_name": last,
        "display_name": user.display_name,
        "avatar_url": user.avatar_url,
        "is_bot": user.is_bot,
        "is_guest": user.is_guest,
    }


def serialize_room_brief(room_id: int, name: str) -> dict:
    return {"id": room_id, "name": name}


def serialize_reactions(reactions: tuple[Reaction, ...], viewer_id: int | None) -> list[dict]:
    return [
        {
            "emoji": r.emoji,
            "count": len(r.user_ids),
            "user_ids": list(r.user_ids),
            "me": viewer_id in r.user_ids,
        }
        for r in reactions
    ]


def serialize_thread(thread: ThreadSummary | None) -> dict | None:
    """A root's thread summary (docs/threads.md)."""
    if thread is None:
        return None
    return {
        "root_id": thread.root_id,
        "room_id": thread.room_id,
        "reply_count": thread.reply_count,
        "last_reply_id": thread.last_reply_id,
        "last_reply_at": thread.last_reply_at,
        "last_repliers": [serialize_user(user) for user in thread.last_repliers],
    }


def serialize_message(message: Message, viewer_id: int | None = None) -> dict:
    return {
        "id": message.id,
        "room": serialize_room_brief(message.room_id, message.room_name),
        "sender": serialize_user(message.sender),
        "message_type": message.message_type,
        "content": message_text(message),
        "file_url": message.file_url,
        "file_name": message.file_name,
        "file_size": message.file_size,
        "is_edited": message.is_edited,
        "is_deleted": message.is_deleted,
        "reply_to": message.reply_to,
        "created_at": message.created_at,
        "updated_at": message.updated_at,
        "timestamp": message.created_at,
        "client_id": message.client_id,
        "reactions": serialize_reactions(message.reactions, viewer_id),
        # content is plain text for every client; the page shows Slack's markup as Slack does
        "format": "mrkdwn" if message.mrkdwn is not None else "markdown",
        "mrkdwn": message.mrkdwn,
        # an extension like reactions: cards the server made of the message's links
        "previews": [serialize_preview(card) for card in message.previews],
        # threads (docs/threads.md): a seed client reads reply_to and ignores these
        "thread_id": message.thread_id,
        "thread_only": message.thread_only,
        "thread": serialize_thread(message.thread),
    }


def serialize_preview(card: LinkPreview) -> dict:
    return {
        "url": card.url,
        "title": card.title,
        "description": card.description,
        "site_name": card.site_name,
        "image_url": card.image,
    }


def serialize_last_message(message: Message | None) -> dict | None:
    if message is None:
        return None
    return {
        "id": message.id,
        "content": message_text(message),
        "message_type": message.message_type,
        "sender": message.sender.username if message.sender else None,
        "created_at": message.created_at,
    }


def serialize_room(room: Room) -> dict:
    return {
        "id": room.id,
        "slug": room.slug,
        "name": room.name,
        "description": room.description,
        "room_type": room.room_type,
        "is_official": room.is_official,
        "created_by": serialize_user(room.creator),
        "member_count": room.member_count,
        "is_active": room.is_active,
        "max_members": room.max_members,
        "is_archived": room.is_archived,
        "join_notices": room.join_notices,
        "link_previews": room.link_previews,
        "created_at": room.created_at,
        "updated_at": room.updated_at,
    }


def serialize_listing(listing: RoomListing) -> dict:
    membership = listing.membership
    return {
        **serialize_room(listing.room),
        "last_message": serialize_last_message(listing.last_message),
        "is_member": membership is not None,
        "role": membership.role if membership else None,
        "unread_count": listing.unread_count,
        "last_read_message_id": membership.last_read_message_id if membership else None,
        "notify_level": membership.notify_level if membership else None,
        "room_muted": membership.room_muted if membership else False,
        "mention_count": listing.mention_count,
    }


def serialize_detail(detail: RoomDetail) -> dict:
    return {
        **serialize_room(detail.room),
        "members": [serialize_user(m.user) for m in detail.members],
        "is_member": detail.membership is not None,
        "role": detail.membership.role if detail.membership else None,
    }


def serialize_membership(membership: Membership, room: Room) -> dict:
    return {
        "id": membership.id,
        "room": serialize_room_brief(room.id, room.name),
        "user": serialize_user(membership.user),
        "role": membership.role,
        "joined_at": membership.joined_at,
        "last_read_at": membership.last_read_at,
        "is_muted": membership.is_muted,
        "is_banned": membership.is_banned,
    }


def serialize_page(page: MessagePage, viewer_id: int) -> dict:
    return {
        "messages": [serialize_message(m, viewer_id) for m in page.messages],
        "page": page.page,
        "page_size": page.page_size,
        "total": page.total,
    }


def serialize_notification(notification: Notification) -> dict:
    message = notification.message
    return {
        "id": notification.id,
        "notification_type": notification.notification_type,
        "title": notification_title(notification),
        "content": notification.content,
        "room": serialize_room(notification.room) if notification.room else None,
        "message": None
        if message is None
        else {
            "id": message.id,
            "content": message_text(message),
            "message_type": message.message_type,
            "created_at": message.created_at,
            "thread_id": message.thread_id,  # the page opens the thread (docs/threads.md)
        },
        "is_read": notification.is_read,
        "created_at": notification.created_at,
    }
