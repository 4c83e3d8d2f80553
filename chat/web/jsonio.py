"""The one JSON encoder, for responses and socket frames alike, and body parsing.

Every JSON a client sends (bodies and socket frames) is decoded by loads() here, the
one place that refuses what Python's json module would let through: NaN and
Infinity, nesting deeper than MAX_DEPTH (which would otherwise end in a
RecursionError), and lone surrogates in any string or key.
"""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError

from chat.core.fields import has_surrogate
from chat.errors import BadInput, TooLarge

_encoder = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
MAX_DEPTH = 32


def _refuse_constant(name: str):
    raise BadInput("json_constant")


_decoder = json.JSONDecoder(parse_constant=_refuse_constant)


def check_value(value: Any, depth: int = 0) -> None:
    """Nesting and strings of a decoded value; BadInput where they cannot be used."""
    if depth > MAX_DEPTH:
        raise BadInput("json_too_deep", depth=MAX_DEPTH)
    if isinstance(value, str):
        if has_surrogate(value):
            raise BadInput("field_encoding", field="JSON")
    elif isinstance(value, dict):
        for key, item in value.items():
            check_value(key, depth + 1)
            check_value(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            check_value(item, depth + 1)


def loads(raw: str | bytes, error: str) -> dict:
    """A JSON object from a client, checked; BadInput(error) when it is not one."""
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
        body = _decoder.decode(text)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise BadInput(error) from None
    if not isinstance(body, dict):
        raise BadInput(error)
    check_value(body)
    return body


def dumps(value: Any) -> str:
    return _encoder.encode(value)


def json_response(value: Any, status: int = 200) -> web.Response:
    return web.Response(text=dumps(value), status=status, content_type="application/json")


async def read_json(request: web.Request, allow_empty: bool = False) -> dict:
    """The JSON object body; an empty body is {} when allow_empty."""
    try:
        raw = await request.read()
    except web.HTTPRequestEntityTooLarge:  # aiohttp's plain-text 413, in the dialect's shape
        raise TooLarge("body_too_large") from None
    if not raw.strip():
        if allow_empty:
            return {}
        raise BadInput("invalid_json")
    return loads(raw, "invalid_json")


async def read_fields(request: web.Request) -> dict:
    """A JSON object or form fields (urlencoded or multipart), whichever was sent."""
    if request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        try:
            form = await request.post()
        except (ValueError, HttpProcessingError):  # no boundary, not UTF-8, malformed parts
            raise BadInput("invalid_form") from None
        except web.HTTPRequestEntityTooLarge:
            raise TooLarge("body_too_large") from None
        fields = {key: value for key, value in form.items() if isinstance(value, str)}
        check_value(fields)
        return fields
    return await read_json(request, allow_empty=True)


def parse_frame(text: str) -> dict:
    return loads(text, "frame_not_json")
