"""The pieces every JSON Schema of ours is built from (2020-12, as OpenAPI 3.1 uses).

The schemas of what each face sends and accepts live in their own modules
(identity_schemas, message_schemas, room_schemas, seed_schemas, team_schemas,
body_schemas); openapi.py puts them together. Kept apart so the small builders and the
enums shared by a response and its request body are written once.

Each response schema mirrors one serializer in chat/wire/ or chat/api/; the
schemathesis test checks every live response against them, so a serializer that
changes shape fails a test until its schema follows.
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
