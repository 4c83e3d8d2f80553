"""Files over HTTP: reading a multipart upload as a stream, and serving stored uploads.

A stored upload is served only to someone core/file_access.py lets read it, named by a
token, the login cookie or a signed link (core/file_links.py); it is served so that a
browser never runs it: nosniff, a sandboxing CSP, and inline display for raster images
only.
"""

from __future__ import annotations

from urllib.parse import quote

from aiohttp import BodyPartReader, hdrs, web
from aiohttp.http_exceptions import HttpProcessingError

from chat.core.file_links import is_signed
from chat.core.files import avatars, file_access, uploads
from chat.errors import BadInput, NotFound, TooLarge, Unauthorized
from chat.keys import core_key, user_key
from chat.models import SendResult, User
from chat.web.auth import authenticate, token_from_request
from chat.web.session_cookie import session_cookie

CHUNK = 64 * 1024
MULTIPART_OVERHEAD = 64 * 1024  # headers and boundaries around the file, generously
MAX_FIELD = 256


async def small_field(part: BodyPartReader) -> str:
    """A short text field, read without trusting its length: a longer one is a 400."""
    data = b""
    while (chunk := await part.read_chunk(MAX_FIELD)) and len(data) <= MAX_FIELD:
        data += chunk
    if len(data) > MAX_FIELD:
        raise BadInput("field_length", field=part.name, low=0, high=MAX_FIELD)
    return data.decode("utf-8", "replace").strip()


def check_multipart(request: web.Request, limit: int) -> None:
    """Refuse before reading: a declared body over the upload cap, or not multipart."""
    if (request.content_length or 0) > limit + MULTIPART_OVERHEAD:
        raise TooLarge("file_too_large", limit_mb=f"{limit / 2**20:g}")
    if request.content_type != "multipart/form-data":
        raise BadInput("file_required")


async def receive_upload(
    request: web.Request, file_field: str = "file", room: str | None = None
) -> SendResult:
    """Stream the multipart 'file' part to disk and post it to 'room_id' (which may
    come before or after the file), or to `room` when the path names it; nothing
    stays on disk if anything fails."""
    core = request.app[core_key]
    check_multipart(request, core.settings.max_upload_bytes)
    room_ref, stored = room or "global", None
    try:
        reader = await request.multipart()
        while (part := await reader.next()) is not None:
            if not isinstance(part, BodyPartReader):
                raise BadInput("upload_malformed")
            if part.name == file_field and part.filename is not None and stored is None:
                stored = await uploads.store(
                    core,
                    request[user_key],
                    part.filename,
                    part.headers.get(hdrs.CONTENT_TYPE),
                    lambda part=part: part.read_chunk(CHUNK),
                )
            elif part.name == "room_id" and room is None:
                room_ref = await small_field(part) or "global"
            else:
                await small_field(part)  # other fields are ignored, but never unbounded
        if stored is None:
            raise BadInput("file_required")
    except (ValueError, HttpProcessingError):
        await discard(request, stored)
        raise BadInput("upload_malformed") from None
    except BaseException:
        await discard(request, stored)
        raise
    return await uploads.post(core, request[user_key], room_ref, stored)


async def receive_avatar(request: web.Request) -> User:
    """The multipart 'file' part becomes the caller's avatar, re-encoded by core."""
    core = request.app[core_key]
    check_multipart(request, core.settings.max_upload_bytes)
    try:
        reader = await request.multipart()
        while (part := await reader.next()) is not None:
            if not isinstance(part, BodyPartReader):
                raise BadInput("upload_malformed")
            if part.name == "file" and part.filename is not None:
                return await avatars.set_avatar(
                    core,
                    request[user_key],
                    part.filename,
                    part.headers.get(hdrs.CONTENT_TYPE),
                    lambda part=part: part.read_chunk(CHUNK),
                )
            await small_field(part)
    except (ValueError, HttpProcessingError):
        raise BadInput("upload_malformed") from None
    raise BadInput("file_required")


async def discard(request: web.Request, stored: uploads.StoredFile | None) -> None:
    if stored is not None:
        await uploads.discard(request.app[core_key], stored)


def disposition(kind: str, name: str) -> str:
    """A Content-Disposition any browser reads: an ASCII fallback plus the UTF-8 name."""
    fallback = "".join(
        c if c.isascii() and c.isprintable() and c not in '"\\;' else "_" for c in name
    )
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


async def readable_upload(request: web.Request) -> tuple[uploads.ServedFile, bool]:
    """The file and whether it is public. Who asks: a token, else the login cookie
    (a page open longer than its links last keeps its pictures), else a signed link;
    with none of them only public files are served."""
    core, name = request.app[core_key], request.match_info["name"]
    if not uploads.STORED_NAME.fullmatch(name):
        raise NotFound("not_found")  # never a path, whoever asks
    token, signed = token_from_request(request), is_signed(request.query)
    user = None
    if token or session_cookie(request):
        try:
            user = await authenticate(request)
        except Unauthorized:
            if token:
                raise
            # An ended login's cookie: asked as if without it (a signed link, a public file).
    if user is None and signed:
        user = await file_access.link_user(core, core.file_links.check(name, request.query))
    if user is not None:
        await file_access.check_may_read(core, user, name)
    elif not await file_access.is_public(core, name):
        raise Unauthorized("auth_required")
    return await uploads.find(core, name), user is None


async def serve_upload(request: web.Request) -> web.StreamResponse:
    served, public = await readable_upload(request)
    return web.FileResponse(
        served.path,
        headers={
            hdrs.CONTENT_TYPE: served.kind.content_type,
            hdrs.CONTENT_DISPOSITION: disposition(
                "inline" if served.kind.raster else "attachment", served.display_name
            ),
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; sandbox",
            # A private file is asked for again each time (a 304 when unchanged), so a
            # browser shared after sign-out or a member who left gets no copy from a cache.
            hdrs.CACHE_CONTROL: "private, max-age=86400" if public else "private, no-cache",
        },
    )


def sign_links(request: web.Request, response: web.StreamResponse) -> web.StreamResponse:
    """A JSON answer to a signed-in caller with its file links signed for them: every
    dialect's messages, pins, saved messages, search hits and notifications pass here."""
    if (
        user_key in request
        and isinstance(response, web.Response)
        and response.content_type == "application/json"
        and response.text
        and request.app[core_key].file_links.links_in(response.text)
    ):
        response.text = request.app[core_key].file_links.sign_text(
            response.text, request[user_key].id
        )
    return response
