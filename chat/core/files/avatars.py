"""Avatars: an uploaded picture decoded and re-encoded as a small PNG, so what is served
is pixels we wrote, never the uploader's bytes (no metadata, no polyglots, no exploits
aimed at image parsers in other people's browsers).

The upload is streamed and judged like any chat upload first (size cap, raster image by
its bytes); decoding refuses images whose header announces more than MAX_PIXELS.
"""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from chat import durable
from chat.core import Core, Outcome
from chat.core.files.uploads import ReadChunk, folder, store
from chat.core.people.accounts import profile_changed
from chat.db import uploads as upload_sql
from chat.db import users as user_sql
from chat.errors import UnsupportedMedia
from chat.models import User

SIDE = 256  # pixels: the largest side of a stored avatar
MAX_PIXELS = 40_000_000  # a larger announced image is refused before it is decoded


def reencode(source: Path, target: Path) -> None:
    """Decode source and write it to target as a PNG of at most SIDE×SIDE."""
    try:
        with Image.open(source) as image:
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise UnsupportedMedia("avatar_too_big", limit=MAX_PIXELS)
            image.seek(0)  # the first frame of an animation
            picture = ImageOps.exif_transpose(image).convert("RGBA")
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        raise UnsupportedMedia("file_type", name=source.name) from None
    picture.thumbnail((SIDE, SIDE))
    picture.save(target, "PNG", optimize=True)


def reencode_whole(source: Path, target: Path) -> None:
    """reencode, then the whole durable file under target at once (before its row, as
    uploads): no host sharing the files directory ever reads a half-written avatar."""
    partial = target.with_name(f".{target.name}.partial")
    try:
        reencode(source, partial)
        durable.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)


async def set_avatar(
    core: Core, user: User, filename, declared_type: str | None, read_chunk: ReadChunk
) -> User:
    stored = await store(core, user, filename, declared_type, read_chunk)  # upload limits apply
    target = folder(core) / f"{uuid.uuid4().hex}.png"
    try:
        if not stored.kind.raster:
            raise UnsupportedMedia("file_type", name=stored.display_name)
        await asyncio.to_thread(reencode_whole, stored.path, target)
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    finally:
        stored.path.unlink(missing_ok=True)
    url = f"/uploads/chat/{target.name}"

    async def job(conn):
        await upload_sql.insert_upload(
            conn, target.name, "avatar.png", target.stat().st_size, user.id, is_avatar=True
        )
        await user_sql.update_profile(conn, user.id, user.display_name, url)
        changed = await user_sql.user_by_id(conn, user.id)
        return Outcome(changed, [await profile_changed(conn, changed)])

    try:
        return await core.commit(job)
    except BaseException:
        target.unlink(missing_ok=True)
        raise
