"""JSON Schemas (2020-12, as OpenAPI 3.1 uses) of what each dialect sends and accepts.

Each mirrors one serializer in chat/wire/ or chat/api/; the schemathesis test checks every
live response against them, so a serializer that changes shape fails a test until
its schema here follows.
"""

from __future__ import annotations

from chat.core.conversation.member_notices import MODES
from chat.core.reach.email import MODES as EMAIL_MODE_NAMES

INT = {"type": "integer"}
STR = {"type": "string"}
BOOL = {"type": "boolean"}
EMAIL_MODES = {"enum": list(EMAIL_MODE_NAMES)}
TIME = {"type": "string", "description": "ISO 8601 UTC, e.g. 2024-01-01T12:00:00.000Z"}
NOTICE_MODES = {"enum": list(MODES), "description": "join and leave notices above the threshold"}
ZONED = {"type": "string", "description": "ISO 8601 with a zone, in the coming year"}
NOTIFY_LEVELS = ("default", "all", "mentions", "nothing")


def null(schema: dict) -> dict:
    return {"anyOf": [schema, {"type": "null"}]}


def obj(required: dict, optional: dict | None = None) -> dict:
    """An object with these required properties (and maybe optional ones)."""
    props = {**required, **(optional or {})}
    return {"type": "object", "required": list(required), "properties": props}


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def array(schema: dict) -> dict:
    return {"type": "array", "items": schema}


COMPONENTS: dict[str, dict] = {
    # errors: one shape per dialect family
    "DetailError": obj({"detail": STR}),
    "ChannelsError": obj({"error": STR}),
    "Said": obj({"message": STR}),
    "RoomRetention": obj(
        {
            "room_id": INT,
            "retention_days": null(INT),
            "site_retention_days": null(INT),
            "effective_retention_days": null(INT),
        }
    ),
    "Anything": {},
    # identity
    "IdentityUser": obj(
        {
            "id": INT,
            "username": STR,
            "display_name": STR,
            "avatar_url": null(STR),
            "is_admin": BOOL,
            "is_guest": BOOL,
        }
    ),
    "Linked": obj({"linked": BOOL}),
    "Tokens": obj(
        {
            "user": ref("IdentityUser"),
            "access_token": STR,
            "refresh_token": STR,
            "token_type": STR,
            "expires_in": INT,
        }
    ),
    "ApiToken": obj(
        {
            "id": INT,
            "name": STR,
            "hint": STR,
            "created_at": TIME,
            "expires_at": null(TIME),
            "last_used_at": null(TIME),
        },
        {"token": STR},
    ),
    # channels and native
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
    # threads (docs/threads.md)
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
    "Room": obj(
        {
            "id": INT,
            "slug": STR,
            "name": STR,
            "description": STR,
            "room_type": {"enum": ["public", "private", "group", "direct"]},
            "is_official": BOOL,
            "created_by": null(ref("User")),
            "member_count": INT,
            "is_active": BOOL,
            "max_members": null(INT),
            "is_archived": BOOL,
            "created_at": TIME,
            "updated_at": TIME,
            "join_notices": NOTICE_MODES,
        },
        {"link_previews": BOOL},
    ),
    "LastMessage": obj(
        {"id": INT, "content": STR, "message_type": STR, "sender": null(STR), "created_at": TIME}
    ),
    "RoomListing": {
        "allOf": [
            ref("Room"),
            obj(
                {
                    "last_message": null(ref("LastMessage")),
                    "is_member": BOOL,
                    "role": null(STR),
                    "unread_count": INT,
                    "last_read_message_id": null(INT),
                }
            ),
        ]
    },
    "RoomDetail": {
        "allOf": [
            ref("Room"),
            obj({"members": array(ref("User")), "is_member": BOOL, "role": null(STR)}),
        ]
    },
    "Membership": obj(
        {
            "id": INT,
            "room": ref("RoomBrief"),
            "user": ref("User"),
            "role": STR,
            "joined_at": TIME,
            "last_read_at": null(TIME),
            "is_muted": BOOL,
            "is_banned": BOOL,
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
    "Invited": obj({"message": STR, "room": ref("Room"), "user": ref("User")}),
    "DirectRoom": {"allOf": [ref("Room"), obj({"peer": ref("User")})]},
    "Announced": obj({"count": INT}),
    "AuditEntry": obj(
        {
            "id": INT,
            "at": TIME,
            "actor_id": null(INT),
            "actor_name": null(STR),
            "action": STR,
            "target_type": null(STR),
            "target_id": null(STR),
            "target_name": null(STR),
            "address": null(STR),
            "user_agent": null(STR),
            "request_id": null(STR),
            "detail": {"type": "object"},
        }
    ),
    "Account": obj(
        {
            "id": INT,
            "username": STR,
            "display_name": STR,
            "avatar_url": null(STR),
            "is_admin": BOOL,
            "is_bot": BOOL,
            "kind": {"type": "string", "enum": ["person", "bot", "webhook"]},
            "is_active": BOOL,
            "is_guest": BOOL,
            "guest_until": null(TIME),
            "created_at": TIME,
            "last_login_at": null(TIME),
        }
    ),
    "Guest": {
        "allOf": [
            ref("IdentityUser"),
            obj(
                {
                    "is_active": BOOL,
                    "guest_until": null(TIME),
                    "last_login_at": null(TIME),
                    "rooms": array(STR),
                }
            ),
        ]
    },
    "GuestLink": obj({"id": INT, "url": STR, "expires_at": TIME, "rooms": array(STR)}),
    "AdminRoom": {
        "allOf": [
            ref("Room"),
            obj({"message_count": INT, "deleted_at": null(TIME), "purge_at": null(TIME)}),
        ]
    },
    "Purged": obj({"purged": BOOL, "messages": INT, "files": INT}),
    "UnreadCount": obj({"unread_count": INT}),
    "CallSettings": obj({"enabled": BOOL, "base_url": null(STR)}),
    # v1
    "V1User": obj({"id": INT, "username": STR, "avatar_url": null(STR)}),
    "V1Room": obj(
        {
            "id": INT,
            "name": STR,
            "description": STR,
            "is_public": BOOL,
            "is_official": BOOL,
            "created_by": null(INT),
            "created_at": TIME,
            "updated_at": TIME,
            "creator": null(ref("V1User")),
            "member_count": INT,
            "is_member": BOOL,
            "is_admin": BOOL,
        }
    ),
    "V1Member": obj(
        {
            "id": INT,
            "room_id": INT,
            "user_id": INT,
            "is_admin": BOOL,
            "joined_at": TIME,
            "last_read_at": null(TIME),
            "user": ref("V1User"),
        }
    ),
    "V1Message": obj(
        {
            "id": INT,
            "room_id": INT,
            "user_id": null(INT),
            "content": STR,
            "is_system": BOOL,
            "created_at": TIME,
            "user": null(ref("V1User")),
        }
    ),
    "V1RoomDetail": {
        "allOf": [
            ref("V1Room"),
            obj({"members": array(ref("V1Member")), "latest_messages": array(ref("V1Message"))}),
        ]
    },
    # simple
    "SimpleMessage": obj(
        {
            "id": STR,
            "sender_id": null(INT),
            "sender_name": null(STR),
            "is_bot": BOOL,
            "message_type": STR,
            "content": STR,
            "file_url": null(STR),
            "file_name": null(STR),
            "file_size": null(INT),
            "timestamp": TIME,
            "reply_to": null(STR),
            "room_id": STR,
            "is_edited": BOOL,
            "is_deleted": BOOL,
            "client_id": null(STR),
        }
    ),
    "SimpleRoom": obj(
        {
            "id": STR,
            "name": STR,
            "description": STR,
            "members": array(INT),
            "created_at": TIME,
            "last_message": null(ref("SimpleMessage")),
        }
    ),
    "SimpleRoomCreated": obj({"room_id": STR, "message": STR}),
    "OnlineUser": obj(
        {
            "user_id": INT,
            "username": STR,
            "ip": null(STR),
            "user_agent": null(STR),
            "login_time": TIME,
            "last_activity": TIME,
        }
    ),
    "Stats": obj({"online_users_count": INT, "total_messages_today": INT, "active_rooms": INT}),
    "UserIp": obj({"user_id": INT, "ip": null(STR)}),
    "Heartbeat": obj({"status": STR, "timestamp": TIME}),
    # integrations
    "Hook": obj(
        {
            "id": INT,
            "room_id": INT,
            "name": STR,
            "user": ref("User"),
            "created_by": null(INT),
            "created_at": TIME,
            "last_used_at": null(TIME),
            "active": BOOL,
        },
        {"key": STR, "path": STR, "url": STR},
    ),
    "Bot": obj(
        {"id": INT, "user": ref("User"), "outgoing_url": null(STR), "created_at": TIME},
        {"key": STR},
    ),
    # team features (issue 14)
    "Pin": obj(
        {
            "message": ref("Message"),
            "pinned_by": null(obj({"id": INT, "username": STR})),
            "pinned_at": TIME,
        }
    ),
    "Unpinned": obj({"message_id": INT, "pinned": BOOL, "removed": BOOL}),
    "SavedMessage": obj({"message": ref("Message"), "saved_at": TIME}),
    "Unsaved": obj({"message_id": INT, "saved": BOOL, "removed": BOOL}),
    "NotifyPreferences": obj(
        {"room_id": INT, "notify_level": {"enum": list(NOTIFY_LEVELS)}, "room_muted": BOOL}
    ),
    "PushKey": obj({"public_key": STR}),
    "PushDevice": obj({"id": INT, "label": STR, "push_service": STR, "created_at": TIME}),
    "EmailSettings": obj(
        {
            "email_address": null(STR),
            "email_mode": EMAIL_MODES,
            "language": null({"enum": ["en", "zh"]}),
            "email_available": BOOL,
        }
    ),
    "Status": obj(
        {
            "user_id": INT,
            "emoji": STR,
            "text": STR,
            "dnd": BOOL,
            "expires_at": null(TIME),
            "updated_at": TIME,
        }
    ),
    "ScheduledMessage": obj(
        {
            "id": INT,
            "room": ref("RoomBrief"),
            "content": STR,
            "reply_to": null(INT),
            "send_at": TIME,
            "state": {"enum": ["pending", "sent", "failed", "cancelled"]},
            "message_id": null(INT),
            "error": null(STR),
            "created_at": TIME,
        }
    ),
    "Reminder": obj(
        {
            "id": INT,
            "message": ref("Message"),
            "remind_at": TIME,
            "state": {"enum": ["pending", "done", "cancelled"]},
            "created_at": TIME,
        }
    ),
    "SlackPayload": {
        "type": "object",
        "properties": {
            "text": STR,
            "username": STR,
            "icon_url": STR,
            "icon_emoji": STR,
            "channel": STR,
            "attachments": array(
                {
                    "type": "object",
                    "properties": {
                        "pretext": STR,
                        "title": STR,
                        "title_link": STR,
                        "text": STR,
                        "fallback": STR,
                        "footer": STR,
                        "fields": array(
                            {
                                "type": "object",
                                "properties": {"title": STR, "value": STR, "short": BOOL},
                            }
                        ),
                    },
                }
            ),
            "props": {"type": "object"},
        },
    },
}

# Request bodies: what the handlers read (extra fields are ignored).
BODIES: dict[str, dict] = {
    "Credentials": obj({"username": STR, "password": STR}, {"display_name": STR}),
    "RefreshBody": obj({"refresh_token": STR}),
    "NewApiToken": obj({"name": STR}, {"expires_in_days": INT}),
    "IdentityLink": obj({"username": STR, "provider": STR, "external_name": STR}),
    "ProfileChange": obj(
        {}, {"display_name": STR, "avatar_url": STR, "password": STR, "old_password": STR}
    ),
    "NewRoom": obj(
        {"name": STR},
        {
            "description": STR,
            "room_type": {"enum": ["public", "private", "group"]},
            "is_official": BOOL,
            "max_members": INT,
        },
    ),
    "RoomChange": obj(
        {},
        {
            "name": STR,
            "description": STR,
            "room_type": {"enum": ["public", "private", "group"]},
            "max_members": null(INT),
            "archived": BOOL,
            "is_official": BOOL,
            "join_notices": NOTICE_MODES,
            "link_previews": BOOL,
        },
    ),
    "Standing": obj({}, {"is_admin": BOOL, "is_active": BOOL}),
    "NewPassword": obj({"password": STR}),
    "NewGuest": obj(
        {"username": STR, "password": STR},
        {"display_name": STR, "rooms": array(INT), "guest_until": null(STR)},
    ),
    "NewGuestLink": obj({}, {"rooms": array(INT), "hours": INT, "guest_until": null(STR)}),
    "GuestChange": obj({}, {"is_guest": BOOL, "guest_until": null(STR)}),
    "GuestSignUp": obj(
        {"invitation": STR, "username": STR, "password": STR}, {"display_name": STR}
    ),
    "RetentionChange": obj({"retention_days": null({**INT, "minimum": 1, "maximum": 36500})}),
    "V1NewRoom": obj({"name": STR}, {"description": STR, "is_public": BOOL, "is_official": BOOL}),
    "NewMessage": obj(
        {"content": STR},
        {
            "message_type": STR,
            "reply_to": INT,
            "client_id": STR,
            "file_url": STR,
            "file_name": STR,
            "file_size": INT,
        },
    ),
    "NewReply": obj(
        {"content": STR},
        {
            "also_to_room": BOOL,
            "message_type": STR,
            "client_id": STR,
            "file_url": STR,
            "file_name": STR,
            "file_size": INT,
        },
    ),
    "ThreadReadMark": obj({}, {"message_id": INT}),
    "Content": obj({"content": STR}),
    "CallStart": obj({}, {"client_id": STR}),
    "Emoji": obj({"emoji": STR}),
    "Username": obj({"username": STR}),
    "MemberChange": obj(
        {},
        {"role": {"enum": ["admin", "moderator", "member"]}, "is_muted": BOOL, "is_banned": BOOL},
    ),
    "Announcement": obj({"title": STR, "content": STR}),
    "SimpleNewRoom": obj({"room_name": STR}, {"description": STR}),
    "Named": obj({"name": STR}),
    "NewBot": obj({"username": STR}, {"display_name": STR, "avatar_url": STR, "outgoing_url": STR}),
    "BotChange": obj({}, {"display_name": STR, "avatar_url": STR, "outgoing_url": STR}),
    "NotifyPreferencesChange": obj(
        {}, {"notify_level": {"enum": list(NOTIFY_LEVELS)}, "room_muted": BOOL}
    ),
    "StatusChange": obj({}, {"emoji": STR, "text": STR, "dnd": BOOL, "expires_at": null(ZONED)}),
    "NewScheduledMessage": obj({"content": STR, "send_at": ZONED}, {"reply_to": INT}),
    "RemindAt": obj({"remind_at": ZONED}),
    "EmailSettingsChange": obj(
        {},
        {
            "email_address": STR,
            "email_mode": EMAIL_MODES,
            "language": null({"enum": ["en", "zh"]}),
        },
    ),
    "PushSubscription": obj(
        {"endpoint": STR, "keys": obj({"p256dh": STR, "auth": STR})},
        {"label": STR, "expirationTime": null(INT)},
    ),
}
