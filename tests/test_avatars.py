"""Avatar uploads are decoded and re-encoded: what is served is a small PNG we wrote."""

import io
import struct
import zlib

import aiohttp
import pytest
from PIL import Image, PngImagePlugin

from tests.helpers import assert_error


def picture(fmt: str, size=(600, 300), **save) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, fmt, **save)
    return out.getvalue()


def announced_png(width: int, height: int) -> bytes:
    """A PNG whose header claims a huge image (a decompression bomb's first bytes)."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + header
    ihdr = struct.pack(">I", len(header)) + chunk + struct.pack(">I", zlib.crc32(chunk))
    data = zlib.compress(b"\x00" * 64)
    idat = (
        struct.pack(">I", len(data))
        + b"IDAT"
        + data
        + struct.pack(">I", zlib.crc32(b"IDAT" + data))
    )
    return b"\x89PNG\r\n\x1a\n" + ihdr + idat


async def upload(client, person, name, data, content_type):
    body = aiohttp.FormData()
    body.add_field("file", data, filename=name, content_type=content_type)
    return await client.post("/api/auth/me/avatar", data=body, headers=person.headers)


async def test_an_avatar_is_reencoded_to_a_small_png_without_metadata(client, alice):
    note = PngImagePlugin.PngInfo()
    note.add_text("Comment", "<script>alert(1)</script>")
    resp = await upload(client, alice, "me.png", picture("PNG", pnginfo=note), "image/png")
    assert resp.status == 200, await resp.text()
    user = await resp.json()
    assert user["avatar_url"].startswith("/uploads/chat/") and user["avatar_url"].endswith(".png")
    served = await client.get(user["avatar_url"])
    assert served.headers["Content-Type"] == "image/png"
    data = await served.read()
    assert b"<script>" not in data
    with Image.open(io.BytesIO(data)) as image:
        assert image.size == (256, 128) and image.format == "PNG"
    me = await (await client.get("/api/auth/me", headers=alice.headers)).json()
    assert me["avatar_url"] == user["avatar_url"]


async def test_a_jpeg_avatar_becomes_a_png(client, alice):
    resp = await upload(client, alice, "me.jpg", picture("JPEG", (64, 64)), "image/jpeg")
    data = await (await client.get((await resp.json())["avatar_url"])).read()
    assert data.startswith(b"\x89PNG")


@pytest.mark.parametrize(
    "name, data, declared",
    [
        ("doc.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf"),
        ("notes.txt", b"hello", "text/plain"),
        ("bomb.png", announced_png(100_000, 100_000), "image/png"),
        ("broken.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "image/png"),
    ],
)
async def test_anything_but_a_decodable_picture_is_a_415(
    client, alice, settings, name, data, declared
):
    resp = await upload(client, alice, name, data, declared)
    await assert_error(resp, 415, "identity")
    assert list((settings.data_dir / "uploads" / "chat").iterdir()) == []
    me = await (await client.get("/api/auth/me", headers=alice.headers)).json()
    assert me["avatar_url"] is None


async def test_an_avatar_upload_needs_a_token_and_a_file(client, alice):
    body = aiohttp.FormData()
    body.add_field("file", picture("PNG"), filename="me.png", content_type="image/png")
    await assert_error(await client.post("/api/auth/me/avatar", data=body), 401, "identity")
    resp = await client.post("/api/auth/me/avatar", json={}, headers=alice.headers)
    await assert_error(resp, 400, "identity")
