"""The JSON Schemas of the error bodies (one shape per dialect family) and of identity: who
a user is, sign-in tokens, API tokens, and the admin's views of accounts, guests and the
audit log. Each mirrors a serializer (see schema_parts.py).
"""

from __future__ import annotations

from chat.web.schema_parts import BOOL, INT, STR, TIME, array, null, obj, ref

IDENTITY_SCHEMAS: dict[str, dict] = {
    "DetailError": obj({"detail": STR}),
    "ChannelsError": obj({"error": STR}),
    "Said": obj({"message": STR}),
    "Anything": {},
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
}
