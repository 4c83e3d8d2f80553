"""The JSON Schemas of messages as channels and our own API answer them: the message with
its sender, reactions, previews and thread summary, pages of messages, notifications,
edits and search results. Each mirrors a serializer (see schema_parts.py).
"""

from __future__ import annotations

from chat.web.schema_parts import BOOL, INT, STR, TIME, array, null, obj, ref

MESSAGE_SCHEMAS: dict[str, dict] = {
    "User": obj(
        {
            "id": INT,
            "username": STR,
            "first_name": STR,
            "last_name": STR,
            "display_name": STR,
            "avatar_url": null(STR),
            "is_bot": BOOL,
            "is_guest": BOOL,
        }
    ),
    "RoomBrief": obj({"id": INT, "name": STR}),
    "Reaction": obj({"emoji": STR, "count": INT, "user_ids": array(INT), "me": BOOL}),
    "Message": obj(
        {
            "id": INT,
            "room": ref("RoomBrief"),
            "sender": null(ref("User")),
            "message_type": {"enum": ["text", "image", "file", "system"]},
            "content": STR,
            "file_url": null(STR),
            "file_name": null(STR),
            "file_size": null(INT),
            "is_edited": BOOL,
            "is_deleted": BOOL,
            "reply_to": null(INT),
            "created_at": TIME,
            "updated_at": TIME,
            "timestamp": TIME,
            "client_id": null(STR),
            "reactions": array(ref("Reaction")),
        },
        {
            "format": {"enum": ["markdown", "mrkdwn"]},
            "mrkdwn": null(STR),
            "previews": array(ref("LinkPreview")),
            "thread_id": null(INT),
            "thread_only": BOOL,
            "thread": null(ref("ThreadSummary")),
        },
    ),
    "LinkPreview": obj(
        {
            "url": STR,
            "title": STR,
            "description": STR,
            "site_name": STR,
            "image_url": null(STR),
        }
    ),
    "ThreadSummary": obj(
        {
            "root_id": INT,
            "room_id": INT,
            "reply_count": INT,
            "last_reply_id": null(INT),
            "last_reply_at": null(TIME),
            "last_repliers": array(ref("User")),
        }
    ),
    "ThreadFollow": obj(
        {
            "root_id": INT,
            "room_id": INT,
            "following": BOOL,
            "last_read_id": INT,
            "unread_count": INT,
            "mention_count": INT,
        }
    ),
    "ThreadPage": obj(
        {
            "root": ref("Message"),
            "thread": null(ref("ThreadSummary")),
            "follow": ref("ThreadFollow"),
            "results": array(ref("Message")),
            "has_more": BOOL,
        }
    ),
    "ThreadsView": obj(
        {
            "results": array(
                obj(
                    {
                        "root": ref("Message"),
                        "thread": null(ref("ThreadSummary")),
                        "follow": ref("ThreadFollow"),
                    }
                )
            ),
            "unread_threads": INT,
            "mention_count": INT,
        }
    ),
    "MessagePage": obj(
        {"messages": array(ref("Message")), "page": INT, "page_size": INT, "total": INT}
    ),
    "Notification": obj(
        {
            "id": INT,
            "notification_type": STR,
            "title": STR,
            "content": STR,
            "room": null(ref("Room")),
            "message": null(
                obj(
                    {"id": INT, "content": STR, "message_type": STR, "created_at": TIME},
                    {"thread_id": null(INT)},
                )
            ),
            "is_read": BOOL,
            "created_at": TIME,
        }
    ),
    "ReadAll": obj({"message": STR, "count": INT}),
    "Edits": obj(
        {
            "message_id": INT,
            "content": STR,
            "edits": array(
                obj({"content": STR, "edited_by": null(ref("User")), "edited_at": TIME})
            ),
        }
    ),
    "ReactionToggled": obj(
        {"message_id": INT, "emoji": STR, "added": BOOL, "reactions": array(ref("Reaction"))}
    ),
    "SearchResults": obj(
        {
            "results": array(
                {
                    "allOf": [
                        ref("Message"),
                        obj({"room": obj({"id": INT, "slug": STR, "name": STR}), "snippet": STR}),
                    ]
                }
            ),
            "next_before": null(INT),
        }
    ),
    "Announced": obj({"count": INT}),
    "UnreadCount": obj({"unread_count": INT}),
}
