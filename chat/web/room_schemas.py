"""The JSON Schemas of rooms as channels and our own API answer them: the room, its listing
and detail, memberships, direct rooms, and the admin's room views. Each mirrors a
serializer (see schema_parts.py).
"""

from __future__ import annotations

from chat.web.schema_parts import BOOL, INT, NOTICE_MODES, STR, TIME, array, null, obj, ref

ROOM_SCHEMAS: dict[str, dict] = {
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
    "Invited": obj({"message": STR, "room": ref("Room"), "user": ref("User")}),
    "DirectRoom": {"allOf": [ref("Room"), obj({"peer": ref("User")})]},
    "RoomRetention": obj(
        {
            "room_id": INT,
            "retention_days": null(INT),
            "site_retention_days": null(INT),
            "effective_retention_days": null(INT),
        }
    ),
    "AdminRoom": {
        "allOf": [
            ref("Room"),
            obj({"message_count": INT, "deleted_at": null(TIME), "purge_at": null(TIME)}),
        ]
    },
    "Purged": obj({"purged": BOOL, "messages": INT, "files": INT}),
    "CallSettings": obj({"enabled": BOOL, "base_url": null(STR)}),
}
