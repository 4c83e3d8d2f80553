"""The JSON Schemas of the v1 and simple dialects' own shapes (ids and names fixed by the
seeds, see ../shared/API.md). Each mirrors a serializer (see schema_parts.py).
"""

from __future__ import annotations

from chat.web.schema_parts import BOOL, INT, STR, TIME, array, null, obj, ref

SEED_SCHEMAS: dict[str, dict] = {
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
}
