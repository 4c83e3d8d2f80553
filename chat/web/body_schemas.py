"""The JSON Schemas of request bodies: what the handlers read (extra fields are ignored).

Each mirrors the fields one handler in chat/wire/ or chat/api/ reads; operations.py
names the body each route takes.
"""

from __future__ import annotations

from chat.web.schema_parts import (
    BOOL,
    EMAIL_MODES,
    INT,
    NOTICE_MODES,
    NOTIFY_LEVELS,
    STR,
    ZONED,
    array,
    null,
    obj,
)

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
