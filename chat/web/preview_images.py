"""A preview's image, kept on our own origin: fetched bytes are decoded by Pillow and
re-encoded as a small JPEG (so whatever the page served — a script named .png, an SVG,
a decompression bomb — never reaches a reader as such), stored in Settings.previews_dir
(on CHAT_FILES_DIR when hosts share the site) by the digest of what we wrote, and served
at /previews/<name>. Readers never load the page's own image URL, so their addresses do
not reach its site. The picture is whole under its name before its name is handed out:
another host serving it must never read half a file."""

from __future__ import annotations

import asyncio
import hashlib
import io
import re
import warnings

from aiohttp import web
from PIL import Image, UnidentifiedImageError

from chat.keys import settings_key
from chat.ops.datadir import create_private_once, private_folder
from chat.settings import Settings

FORMATS = {"JPEG", "PNG", "GIF", "WEBP"}
MAX_SOURCE_PIXELS = 40_000_000  # larger pictures are refused before they are decoded
NAME = re.compile(r"^[0-9a-f]{32}\.jpg$")


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
