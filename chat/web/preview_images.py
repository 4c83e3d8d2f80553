"""A preview's image, kept on our own origin: fetched bytes are decoded by Pillow and
re-encoded as a small JPEG (so whatever the page served — a script named .png, an SVG,
a decompression bomb — never reaches a reader as such), stored in Settings.previews_dir
(on CHAT_FILES_DIR when hosts share the site) by the digest of what we wrote, and served
at /previews/<name>. Readers never load the page's own image URL, so their addresses do
not reach its site. The picture is whole under its name before its name is handed out:
another host serving it must never read half a file."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import io
import logging
import re
import time
import warnings

from aiohttp import web
from PIL import Image, UnidentifiedImageError

from chat.core import Core
from chat.core.conversation import previews
from chat.keys import settings_key
from chat.ops.datadir import create_private_once, private_folder
from chat.settings import Settings

FORMATS = {"JPEG", "PNG", "GIF", "WEBP"}
MAX_SOURCE_PIXELS = 40_000_000  # larger pictures are refused before they are decoded
NAME = re.compile(r"^[0-9a-f]{32}\.jpg$")
SWEEP_GRACE_SECONDS = 3600.0  # a picture this young may belong to a fetch not yet committed
log = logging.getLogger(__name__)


def reencoded(data: bytes, pixels: int) -> bytes | None:
    """A JPEG of at most pixels×pixels, or None when data is not a picture we take."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as img:
                width, height = img.size
                if img.format not in FORMATS or width * height > MAX_SOURCE_PIXELS:
                    return None
                img.thumbnail((pixels, pixels))
                rgba = img.convert("RGBA")
        flat = Image.new("RGB", rgba.size, "white")
        flat.paste(rgba, mask=rgba.getchannel("A"))
        out = io.BytesIO()
        flat.save(out, "JPEG", quality=80, optimize=True)
        return out.getvalue()
    except (
        UnidentifiedImageError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
        OSError,
        ValueError,
        SyntaxError,  # Pillow's plugins raise it for some malformed files
    ):
        return None


def folder(settings: Settings):
    return settings.previews_dir


async def keep(settings: Settings, data: bytes) -> str | None:
    """The path our origin serves the re-encoded picture at, or None."""
    jpeg = await asyncio.to_thread(reencoded, data, settings.preview_image_pixels)
    if jpeg is None:
        return None
    name = hashlib.sha256(jpeg).hexdigest()[:32] + ".jpg"
    await asyncio.to_thread(write_once, settings, name, jpeg)
    return f"/previews/{name}"


def write_once(settings: Settings, name: str, jpeg: bytes) -> None:
    private_folder(folder(settings))
    path = folder(settings) / name
    if not path.exists():  # the same digest is the same picture: the first writer wins
        create_private_once(path, jpeg)


def unnamed(settings: Settings, in_use: set[str], grace: float) -> int:
    """Delete the stored pictures not in `in_use` and older than `grace` seconds (one
    just written is named by its card only once that commits); how many went."""
    cutoff, gone = time.time() - grace, 0
    if not folder(settings).is_dir():
        return 0
    for path in folder(settings).iterdir():
        if NAME.match(path.name) and f"/previews/{path.name}" not in in_use:
            with contextlib.suppress(FileNotFoundError):
                if path.stat().st_mtime < cutoff:
                    path.unlink()
                    gone += 1
    return gone


async def sweep(core: Core) -> None:
    """Daily (chat/web/chores.py), after the cache's expired rows went: the pictures no
    cache row or card names any more (cards removed, messages purged, edited away)."""
    in_use = await previews.images_in_use(core)
    gone = await asyncio.to_thread(unnamed, core.settings, in_use, SWEEP_GRACE_SECONDS)
    if gone:
        log.info("preview pictures swept: %s", gone)


async def serve_image(request: web.Request) -> web.StreamResponse:
    """Public: the name is a digest of the picture, and the picture came from a page
    anyone may open."""
    name = request.match_info["name"]
    path = folder(request.app[settings_key]) / name
    if not NAME.match(name) or not path.is_file():
        raise web.HTTPNotFound()
    return web.FileResponse(
        path,
        headers={
            "Content-Type": "image/jpeg",
            "Cache-Control": "public, max-age=86400, immutable",
            "X-Content-Type-Options": "nosniff",
        },
    )
