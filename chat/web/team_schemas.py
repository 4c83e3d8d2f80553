"""The JSON Schemas of integrations (hooks, bots, Slack-style payloads) and the team
features: pins, saved messages, notify preferences, push devices, email settings,
statuses, scheduled messages and reminders. Each mirrors a serializer (see
schema_parts.py).
"""

from __future__ import annotations

from chat.web.schema_parts import (
    BOOL,
    EMAIL_MODES,
    INT,
    NOTIFY_LEVELS,
    STR,
    TIME,
    array,
    null,
    obj,
    ref,
)

TEAM_SCHEMAS: dict[str, dict] = {
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
