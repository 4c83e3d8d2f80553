"""Email for what people missed: the caller's own settings (channels style, signed in),
and the unsubscribe link of every email (no sign-in: the signed token is the key).
GET only shows a one-button page, since mail scanners follow links; POST unsubscribes,
which is also what RFC 8058's one-click sends."""

from __future__ import annotations

from html import escape

from aiohttp import web

from chat.core.reach import email
from chat.i18n import translate
from chat.keys import core_key, user_key
from chat.web.auth import request_language
from chat.web.jsonio import json_response, read_json
from chat.web.routing import DETAIL, ERROR, Route, add_routes

PAGE = """<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title></head>
<body><main><h1>{title}</h1>{content}</main></body></html>
"""


def serialize_preferences(found: email.Preferences) -> dict:
    return {
        "email_address": found.address,
        "email_mode": found.mode,
        "language": found.language,
        "email_available": found.available,
    }


async def get_preferences(request: web.Request) -> web.Response:
    found = await email.preferences(request.app[core_key], request[user_key])
    return json_response(serialize_preferences(found))


async def update_preferences(request: web.Request) -> web.Response:
    body = await read_json(request)
    found = await email.update(request.app[core_key], request[user_key], body)
    return json_response(serialize_preferences(found))


def page(request: web.Request, content: str) -> web.Response:
    language = request_language(request)
    title = escape(translate("email_unsubscribe_title", language))
    text = PAGE.format(lang=language, title=title, content=content)
    return web.Response(text=text, content_type="text/html")


async def unsubscribe_page(request: web.Request) -> web.Response:
    button = escape(translate("email_unsubscribe_button", request_language(request)))
    action = escape(request.path_qs, quote=True)
    form = (
        f'<form method="post" action="{action}">'
        '<input type="hidden" name="List-Unsubscribe" value="One-Click">'
        f'<button type="submit">{button}</button></form>'
    )
    return page(request, form)


async def unsubscribe(request: web.Request) -> web.Response:
    query = request.query
    await email.unsubscribe(request.app[core_key], query.get("u"), query.get("t"))
    done = escape(translate("email_unsubscribed", request_language(request)))
    return page(request, f"<p>{done}</p>")


def setup(app: web.Application) -> None:
    add_routes(
        app,
        ERROR,
        [
            Route("GET", "/api/chat/email/settings/", get_preferences),
            Route("PATCH", "/api/chat/email/settings/", update_preferences),
        ],
    )
    add_routes(
        app,
        DETAIL,
        [
            Route("GET", "/email/unsubscribe", unsubscribe_page, public=True),
            Route("POST", "/email/unsubscribe", unsubscribe, public=True),
        ],
    )
