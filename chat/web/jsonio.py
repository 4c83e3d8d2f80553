"""The one JSON encoder, for responses and socket frames alike, and body parsing."""
from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from ..errors import BadInput

_encoder = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def dumps(value: Any) -> str:
    return _encoder.encode(value)


def json_response(value: Any, status: int = 200) -> web.Response:
    return web.Response(text=dumps(value), status=status, content_type="application/json")


async def read_json(request: web.Request, allow_empty: bool = False) -> dict:
    """The JSON object body; an empty body is {} when allow_empty."""
    raw = await request.read()
    if not raw.strip():
        if allow_empty:
            return {}
        raise BadInput("invalid_json")
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise BadInput("invalid_json") from None
    if not isinstance(body, dict):
        raise BadInput("invalid_json")
    return body


async def read_fields(request: web.Request) -> dict:
    """A JSON object or form fields (urlencoded or multipart), whichever was sent."""
    if request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        try:
            form = await request.post()
        except ValueError:  # e.g. multipart without a boundary: the client's mistake
            raise BadInput("upload_malformed") from None
        return {key: value for key, value in form.items() if isinstance(value, str)}
    return await read_json(request, allow_empty=True)


def parse_frame(text: str) -> dict:
    try:
        frame = json.loads(text)
    except ValueError:
        raise BadInput("frame_not_json") from None
    if not isinstance(frame, dict):
        raise BadInput("frame_not_json")
    return frame
