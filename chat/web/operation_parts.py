"""How an OpenAPI entry for a route is written: the Operation (summary, request body,
success answers, query parameters), its builder, and the query parameters and path
prefixes several faces share. The entries themselves are in the *_operations.py
modules, put together in operations.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field

INT_QUERY = {"type": "integer"}
STR_QUERY = {"type": "string"}


@dataclass(frozen=True)
class Operation:
    summary: str
    body: str | None = None  # a BODIES schema name, or a media kind below
    ok: dict = field(default_factory=lambda: {200: "Said"})  # status -> schema name, [name]
    query: tuple[tuple[str, dict], ...] = ()


def op(summary: str, body: str | None = None, ok: dict | None = None, query=()) -> Operation:
    return Operation(summary, body, ok or {200: "Said"}, tuple(query))


PAGE = (("page", INT_QUERY), ("page_size", INT_QUERY))
SIMPLE_ROOM = (("room_id", STR_QUERY),)
C = "/api/chat"
ADMIN_PAGE = (("q", STR_QUERY), ("limit", INT_QUERY), ("offset", INT_QUERY), ("kind", STR_QUERY))
V1 = "/api/v1/chatroom"
AUDIT_FILTER = (
    ("actor", STR_QUERY),
    ("action", STR_QUERY),
    ("target", STR_QUERY),
    ("since", STR_QUERY),
    ("until", STR_QUERY),
)
