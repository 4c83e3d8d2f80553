"""/api/openapi.json: an OpenAPI 3.1 description generated from the route table the
server registered (web/routing.py records every route with its dialect's error
shape), with summaries from web/operations.py and schemas from web/*_schemas.py; and
/api/docs, Swagger UI vendored under static/vendor/ so it works offline.
"""

from __future__ import annotations

import re

from aiohttp import web

from chat.keys import route_table_key
from chat.web.body_schemas import BODIES
from chat.web.identity_schemas import IDENTITY_SCHEMAS
from chat.web.jsonio import json_response
from chat.web.message_schemas import MESSAGE_SCHEMAS
from chat.web.operation_parts import Operation
from chat.web.operations import OPERATIONS
from chat.web.pages import PAGE_HEADERS
from chat.web.room_schemas import ROOM_SCHEMAS
from chat.web.routing import ErrorStyle, Route
from chat.web.schema_parts import STR, obj, ref
from chat.web.seed_schemas import SEED_SCHEMAS
from chat.web.team_schemas import TEAM_SCHEMAS

# Every response schema, by the face that answers with it, then the request bodies.
SCHEMAS = {
    **IDENTITY_SCHEMAS,
    **MESSAGE_SCHEMAS,
    **ROOM_SCHEMAS,
    **SEED_SCHEMAS,
    **TEAM_SCHEMAS,
    **BODIES,
}
PARAM = re.compile(r"\{(\w+)\}")
INT_PARAMS = {"id", "user_id", "hook_id", "bot_id"}
ERROR_SCHEMA = {"detail": "DetailError", "error": "ChannelsError"}
DIALECT_OF = {
    "v1": "v1",
    "channels": "channels",
    "simple": "simple",
    "native": "native",
    "identity": "identity",
    "api_tokens": "identity",
    "external": "identity",
    "oidc_flow": "identity",
    "hooks": "webhooks",
    "bots": "bots",
    "team": "native",
    "push": "native",
}
SOCKETS = """
WebSockets (not described as operations): v1 `GET /api/v1/chatroom/ws/{room_id}/{token}`;
channels `GET /ws/chat/{room_id}/?token=JWT` (also `&since=<message id>`); every room of
the user at `GET /ws/user/?token=JWT`. Frames are described in docs/API.md and
docs/user-socket.md of the Teahouse repository. A bot key works wherever a token does.
"""
# Swagger UI sets style attributes, so this page allows inline *styles* (never
# inline script); everything else is as strict as the web client's page.
DOCS_CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
DOCS_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Teahouse API</title>
<link rel="stylesheet" href="/static/vendor/swagger-ui/swagger-ui.css">
</head><body><div id="swagger-ui"></div>
<script src="/static/vendor/swagger-ui/swagger-ui-bundle.js"></script>
<script src="/static/js/apidocs.js"></script>
</body></html>
"""


def dialect_of(route: Route) -> str:
    """The handler's dialect module; shared handlers (web/replies.py) go by path style."""
    parts = route.handler.__module__.split(".")
    if found := next((DIALECT_OF[p] for p in reversed(parts) if p in DIALECT_OF), None):
        return found
    if route.path.startswith("/api/v1/"):
        return "v1"
    return "channels" if route.path.endswith("/") else "simple"


def schema_of(name) -> dict:
    return {"type": "array", "items": ref(name[0])} if isinstance(name, list) else ref(name)


def success(name) -> dict:
    if name is None:
        return {"description": "done, no body"}
    if name == "binary":
        return {
            "description": "the file",
            "content": {
                "application/octet-stream": {
                    "schema": {"type": "string", "contentMediaType": "application/octet-stream"}
                }
            },
        }
    if name == "ndjson":
        return {
            "description": "JSON lines, streamed (docs/export-format.md)",
            "content": {"application/x-ndjson": {"schema": {"type": "string"}}},
        }
    if name == "html":
        return {"description": "a page", "content": {"text/html": {"schema": {"type": "string"}}}}
    if name == "ok":
        return {"description": "stored", "content": {"text/plain": {"schema": {"const": "ok"}}}}
    return {"description": "success", "content": {"application/json": {"schema": schema_of(name)}}}


def failure(style: ErrorStyle) -> dict:
    if style.key in ERROR_SCHEMA:
        return {
            "description": f'error as {{"{style.key}": ...}}',
            "content": {"application/json": {"schema": ref(ERROR_SCHEMA[style.key])}},
        }
    return {
        "description": "Slack's plain-text error code",
        "content": {"text/plain": {"schema": STR}},
    }


def request_body(kind: str) -> dict:
    if kind == "slack":
        content = {
            "application/json": {"schema": ref("SlackPayload")},
            "application/x-www-form-urlencoded": {"schema": obj({"payload": STR})},
        }
    elif kind == "bot":
        content = {
            "text/plain": {"schema": STR},
            "multipart/form-data": {
                "schema": obj(
                    {
                        "attachment": {
                            "type": "string",
                            "contentMediaType": "application/octet-stream",
                        }
                    }
                )
            },
        }
    elif kind.startswith("multipart:"):
        content = {
            "multipart/form-data": {
                "schema": obj(
                    {
                        kind.split(":")[1]: {
                            "type": "string",
                            "contentMediaType": "application/octet-stream",
                        }
                    },
                    {"room_id": STR},
                )
            }
        }
    else:
        content = {"application/json": {"schema": ref(kind)}}
    return {"required": True, "content": content}


def operation(style: ErrorStyle, route: Route, about: Operation) -> dict:
    params = [
        {
            "name": name,
            "in": "path",
            "required": True,
            "schema": {"type": "integer"} if name in INT_PARAMS else {"type": "string"},
        }
        for name in PARAM.findall(route.path)
    ]
    params += [
        {"name": name, "in": "query", "required": False, "schema": schema}
        for name, schema in about.query
    ]
    slug = re.sub(r"[^a-z0-9]+", "_", f"{route.method} {route.path}".lower()).strip("_")
    described = {
        "operationId": f"{dialect_of(route)}_{slug}",
        "summary": about.summary,
        "tags": [dialect_of(route)],
        "parameters": params,
        "responses": {
            **{str(status): success(name) for status, name in about.ok.items()},
            "default": failure(style),
        },
    }
    if about.body:
        described["requestBody"] = request_body(about.body)
    if route.public:
        described["security"] = []
    return described


def undescribed(route: Route) -> Operation:
    """A route added without an OPERATIONS entry still appears (the test demands one)."""
    doc = (route.handler.__doc__ or route.handler.__name__.replace("_", " ")).strip()
    return Operation(doc.splitlines()[0], None, {200: "Anything"})


def build_document(app: web.Application) -> dict:
    paths: dict[str, dict] = {}
    for style, route in app.get(route_table_key, []):
        about = OPERATIONS.get((route.method, route.path)) or undescribed(route)
        paths.setdefault(route.path, {})[route.method.lower()] = operation(style, route, about)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Teahouse",
            "version": "1",
            "description": "Every dialect Teahouse speaks, from the server's own route "
            "table. Send the access token (or a bot key) as "
            "`Authorization: Bearer ...`.\n" + SOCKETS,
        },
        "servers": [{"url": "/"}],
        "tags": [
            {"name": name}
            for name in ("identity", "channels", "native", "v1", "simple", "webhooks", "bots")
        ],
        "paths": paths,
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
        "security": [{"bearer": []}],
    }


async def openapi_json(request: web.Request) -> web.Response:
    return json_response(build_document(request.app))


async def docs_page(request: web.Request) -> web.Response:
    return web.Response(
        text=DOCS_PAGE,
        content_type="text/html",
        headers={**PAGE_HEADERS, "Content-Security-Policy": DOCS_CSP},
    )


def setup(app: web.Application) -> None:
    app.router.add_get("/api/openapi.json", openapi_json)
    app.router.add_get("/api/docs", docs_page)
