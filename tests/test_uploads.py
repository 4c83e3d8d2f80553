"""Uploads: streamed to disk, judged by bytes + name + declared type, served so that a
browser never runs them, and never left behind when refused or interrupted."""

import asyncio
import io
import struct
import zipfile
import zlib

import aiohttp
import pytest
from yarl import URL

from chat.app import create_app
from chat.keys import core_key
from chat.settings import Settings
from tests.helpers import assert_error, next_frame, register
from tests.pgcluster import both_engines

SMALL_LIMIT = 64 * 1024
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
        + chunk(b"IEND", b"")
    )


def jpeg() -> bytes:
    return (
        b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
        b"\xff\xdb\x00\x43\x00" + bytes(range(1, 65)) + b"\xff\xd9"
    )


def gif() -> bytes:
    return (
        b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00"
        b"\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
    )


def webp() -> bytes:
    payload = b"WEBPVP8L" + struct.pack("<I", 10) + b"\x2f\x00\x00\x00\x00\x07\x00\x00\x00\x00"
    return b"RIFF" + struct.pack("<I", len(payload)) + payload


def pdf() -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    )


def ooxml(folder: str) -> bytes:
    """The same bytes at every import (a fixed date in the zip, not the clock's): the
    bytes name parametrized tests, and pytest-xdist's workers must collect the same ids."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in (
            ("[Content_Types].xml", "<Types/>"),
            (f"{folder}/document.xml", "<document/>"),
        ):
            archive.writestr(zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0)), text)
    return buffer.getvalue()


def ole2(stream: str) -> bytes:
    """A compound file header and one directory entry naming the stream."""
    entry = stream.encode("utf-16-le").ljust(64, b"\x00") + bytes(64)
    return OLE2 + bytes(504) + entry


ALLOWED = [  # name, declared type, bytes, message type, served content type
    ("photo.jpg", "image/jpeg", jpeg(), "image", "image/jpeg"),
    ("photo.jpeg", "image/jpeg", jpeg(), "image", "image/jpeg"),
    ("pic.png", "image/png", png(), "image", "image/png"),
    ("anim.gif", "image/gif", gif(), "image", "image/gif"),
    ("modern.webp", "image/webp", webp(), "image", "image/webp"),
    ("paper.pdf", "application/pdf", pdf(), "file", "application/pdf"),
    ("notes.txt", "text/plain", "会议纪要\nminutes\n".encode(), "file", "text/plain"),
    ("old.doc", "application/msword", ole2("WordDocument"), "file", "application/msword"),
    ("old.xls", "application/vnd.ms-excel", ole2("Workbook"), "file", "application/vnd.ms-excel"),
    (
        "new.docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ooxml("word"),
        "file",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    (
        "new.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ooxml("xl"),
        "file",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
]


@pytest.fixture
def settings(tmp_path, database_url) -> Settings:
    return Settings(
        data_dir=tmp_path / "data", database_url=database_url, max_upload_bytes=SMALL_LIMIT
    )


def stored(settings) -> list[str]:
    return sorted(p.name for p in (settings.uploads_dir / "chat").iterdir())


def form(name, data, content_type="application/octet-stream", room=None) -> aiohttp.FormData:
    body = aiohttp.FormData()
    body.add_field("file", io.BytesIO(data), filename=name, content_type=content_type)
    if room is not None:
        body.add_field("room_id", room)
    return body


async def upload_raw(client, person, name: str, data: bytes, content_type: str, room=None):
    """A multipart body as a browser writes it: the file name verbatim, in UTF-8 (into
    `room`, a slug or id, if given)."""
    field = b""
    if room is not None:
        field = b'--XyZ\r\nContent-Disposition: form-data; name="room_id"\r\n\r\n%s\r\n' % (
            str(room).encode()
        )
    body = field + (
        b'--XyZ\r\nContent-Disposition: form-data; name="file"; filename="'
        + name.encode()
        + b'"\r\nContent-Type: '
        + content_type.encode()
        + b"\r\n\r\n"
        + data
        + b"\r\n--XyZ--\r\n"
    )
    return await client.post(
        "/api/chat/upload",
        data=body,
        headers={**person.headers, "Content-Type": "multipart/form-data; boundary=XyZ"},
    )


def bare(url: str) -> str:
    """A file_url without the signed query it is handed out with."""
    return url.partition("?")[0]


async def upload(client, person, name, data, content_type="application/octet-stream", room=None):
    return await client.post(
        "/api/chat/upload", data=form(name, data, content_type, room), headers=person.headers
    )


@pytest.mark.parametrize("name, declared, data, message_type, served_type", ALLOWED)
async def test_each_allowed_type_is_stored_posted_and_served(
    client, alice, settings, name, declared, data, message_type, served_type
):
    resp = await upload(client, alice, name, data, declared)
    body = await resp.json()
    assert resp.status == 200, body
    assert body["message_type"] == message_type and body["file_name"] == name
    assert body["file_size"] == len(data) and body["content"] == f"sent a file: {name}"
    assert body["sender_id"] == alice.id and body["room_id"] == "global"
    extension = "jpg" if name.endswith(".jpeg") else name.rpartition(".")[2]
    stem = bare(body["file_url"]).removeprefix("/uploads/chat/").removesuffix("." + extension)
    assert len(stem) == 32 and int(stem, 16) >= 0
    assert stored(settings) == [f"{stem}.{extension}"]
    served = await client.get(body["file_url"])
    assert served.status == 200 and await served.read() == data
    assert served.headers["Content-Type"].startswith(served_type)


async def test_a_generic_declared_type_is_accepted_when_the_bytes_agree(client, alice):
    resp = await upload(client, alice, "pic.PNG", png(), "application/octet-stream")
    assert resp.status == 200
    assert bare((await resp.json())["file_url"]).endswith(".png")


@pytest.mark.parametrize(
    "name, declared, data",
    [
        ("evil.png", "image/png", b"<html><script>alert(1)</script></html>"),
        ("evil.png", "text/html", png()),
        ("drawing.svg", "image/svg+xml", b'<svg xmlns="http://www.w3.org/2000/svg"/>'),
        ("drawing.png", "image/png", b'<svg xmlns="http://www.w3.org/2000/svg" onload="x()"/>'),
        ("setup.pdf", "application/pdf", b"MZ\x90\x00\x03" + bytes(200)),
        ("setup.exe", "application/octet-stream", b"MZ\x90\x00\x03" + bytes(200)),
        ("page.html", "text/html", b"<html></html>"),
        ("binary.txt", "text/plain", b"hello\x00world"),
        ("latin1.txt", "text/plain", "café".encode("latin-1")),
        ("fake.docx", "application/octet-stream", ooxml("xl")),
        ("installer.doc", "application/msword", ole2("SummaryInformation")),
        ("sheet.doc", "application/msword", ole2("Workbook")),
        ("fake.xlsx", "application/octet-stream", b"PK\x03\x04" + bytes(100)),
        ("photo.jpg", "image/png", jpeg()),
        ("noextension", "image/png", png()),
        ("macro.docm", "application/octet-stream", ooxml("word")),
    ],
)
async def test_spoofed_or_unlisted_types_are_refused(client, alice, settings, name, declared, data):
    resp = await upload(client, alice, name, data, declared)
    await assert_error(resp, 415, "simple")
    assert stored(settings) == []
    resp = await client.get("/api/chat/messages", headers=alice.headers)
    assert [m for m in await resp.json() if m["message_type"] != "system"] == []


@pytest.mark.parametrize(
    "name, data",
    [
        ("page.txt", b"<!DOCTYPE html><html><body onload='x()'>hi</body></html>"),
        ("script.txt", b"  <script>alert(1)</script>"),
        ("shell.txt", b"#!/bin/sh\nrm -rf /\n"),
        ("drawing.txt", b'<svg xmlns="http://www.w3.org/2000/svg" onload="x()"/>'),
    ],
)
async def test_text_that_looks_like_markup_is_kept_and_served_as_inert_plain_text(
    client, alice, name, data
):
    resp = await upload(client, alice, name, data, "text/plain")
    assert resp.status == 200, await resp.text()
    body = await resp.json()
    assert bare(body["file_url"]).endswith(".txt") and body["message_type"] == "file"
    served = await client.get(body["file_url"])
    assert await served.read() == data
    assert served.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert served.headers["Content-Disposition"].startswith("attachment")
    assert "sandbox" in served.headers["Content-Security-Policy"]


async def test_an_empty_file_or_a_missing_file_part_is_a_400(client, alice, settings):
    resp = await upload(client, alice, "empty.txt", b"", "text/plain")
    await assert_error(resp, 400, "simple")
    body = aiohttp.FormData()
    body.add_field("room_id", "global")
    body.add_field("other", b"x", filename="x.txt")
    resp = await client.post("/api/chat/upload", data=body, headers=alice.headers)
    await assert_error(resp, 400, "simple")
    resp = await client.post("/api/chat/upload", json={"file": "x"}, headers=alice.headers)
    await assert_error(resp, 400, "simple")
    assert stored(settings) == []


async def test_a_file_at_the_limit_is_taken_and_one_byte_more_is_a_413(client, alice, settings):
    exact = png() + b"\x00" * (SMALL_LIMIT - len(png()))
    resp = await upload(client, alice, "exact.png", exact, "image/png")
    assert resp.status == 200 and (await resp.json())["file_size"] == SMALL_LIMIT
    resp = await upload(client, alice, "over.png", exact + b"\x00", "image/png")
    await assert_error(resp, 413, "simple")
    assert len(stored(settings)) == 1


async def test_ten_megabytes_exactly_is_taken_and_one_byte_more_is_refused(
    aiohttp_client, tmp_path
):
    settings = Settings(data_dir=tmp_path / "real")
    assert settings.max_upload_bytes == 10 * 1024 * 1024
    client = await aiohttp_client(create_app(settings))
    alice = await register(client, "alice")
    exact = pdf() + b" " * (settings.max_upload_bytes - len(pdf()))
    resp = await upload(client, alice, "big.pdf", exact, "application/pdf")
    assert resp.status == 200 and (await resp.json())["file_size"] == 10 * 1024 * 1024
    resp = await upload(client, alice, "bigger.pdf", exact + b" ", "application/pdf")
    await assert_error(resp, 413, "simple")
    assert len(stored(settings)) == 1


async def test_an_announced_oversize_body_is_refused_before_it_is_read(client, alice, settings):
    resp = await upload(client, alice, "huge.png", png() + bytes(SMALL_LIMIT * 3), "image/png")
    await assert_error(resp, 413, "simple")
    assert stored(settings) == []


async def raw_upload_head(client, person, boundary: bytes, name: str) -> tuple:
    """Open a raw connection and send a chunked upload's headers and part header."""
    reader, writer = await asyncio.open_connection(client.server.host, client.server.port)
    writer.write(
        b"POST /api/chat/upload HTTP/1.1\r\nHost: test\r\n"
        b"Authorization: Bearer " + person.token.encode() + b"\r\n"
        b"Content-Type: multipart/form-data; boundary=" + boundary + b"\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n"
    )
    part = (
        b"--"
        + boundary
        + b'\r\nContent-Disposition: form-data; name="file"; filename="'
        + name.encode()
        + b'"\r\nContent-Type: image/png\r\n\r\n'
        + png()
    )
    writer.write(b"%x\r\n%s\r\n" % (len(part), part))
    return reader, writer


async def test_the_413_comes_as_soon_as_the_limit_is_crossed(client, alice, settings):
    reader, writer = await raw_upload_head(client, alice, b"XyZ", "stream.png")
    block = bytes(SMALL_LIMIT + 3 * 64 * 1024)
    writer.write(b"%x\r\n%s\r\n" % (len(block), block))
    await writer.drain()
    # The body is still open (no final boundary, no last chunk): the answer must not wait.
    status_line = await asyncio.wait_for(reader.readline(), 3)
    assert status_line.startswith(b"HTTP/1.1 413"), status_line
    writer.close()
    await writer.wait_closed()
    assert stored(settings) == []


async def test_an_interrupted_upload_leaves_no_file(client, alice, settings):
    reader, writer = await raw_upload_head(client, alice, b"XyZ", "cut.png")
    await writer.drain()
    for _ in range(50):
        if stored(settings):
            break
        await asyncio.sleep(0.02)
    assert len(stored(settings)) == 1 and stored(settings)[0].endswith(".part")
    writer.transport.abort()
    for _ in range(100):
        if not stored(settings):
            break
        await asyncio.sleep(0.02)
    assert stored(settings) == []
    resp = await client.get("/api/chat/messages", headers=alice.headers)
    assert [m for m in await resp.json() if m["message_type"] != "system"] == []


async def test_uploading_to_a_room_one_may_not_post_in_leaves_no_file(client, alice, bob, settings):
    resp = await client.post(
        "/api/chat/rooms/", json={"name": "secret", "room_type": "private"}, headers=alice.headers
    )
    slug = (await resp.json())["slug"]
    resp = await upload(client, bob, "pic.png", png(), "image/png", room=slug)
    await assert_error(resp, 403, "simple")
    resp = await upload(client, bob, "pic.png", png(), "image/png", room="room_00000000")
    await assert_error(resp, 404, "simple")
    assert stored(settings) == []


async def test_room_id_may_come_before_or_after_the_file(client, alice):
    resp = await client.post("/api/chat/rooms", json={"room_name": "files"}, headers=alice.headers)
    slug = (await resp.json())["room_id"]
    after = await upload(client, alice, "a.png", png(), "image/png", room=slug)
    assert (await after.json())["room_id"] == slug
    body = aiohttp.FormData()
    body.add_field("room_id", slug)
    body.add_field("file", png(), filename="b.png", content_type="image/png")
    before = await client.post("/api/chat/upload", data=body, headers=alice.headers)
    assert (await before.json())["room_id"] == slug


@pytest.mark.parametrize(
    "raw, shown",
    [
        ("../../etc/passwd.txt", "passwd.txt"),
        ("C:/Users/me/..\\win.ini.txt", "win.ini.txt"),
        ("/etc/cron.d/evil.txt", "evil.txt"),
        ("report\u202etxt.exe.txt", "reporttxt.exe.txt"),
        ("x" * 300 + ".txt", "x" * 251 + ".txt"),
    ],
)
async def test_file_names_are_cleaned_and_never_used_as_paths(client, alice, settings, raw, shown):
    resp = await upload_raw(client, alice, raw, b"plain text", "text/plain")
    body = await resp.json()
    assert resp.status == 200, body
    assert body["file_name"] == shown and len(body["file_name"]) <= 255
    [name] = stored(settings)
    assert bare(body["file_url"]) == f"/uploads/chat/{name}"
    assert not (settings.data_dir / "etc").exists()


async def test_control_characters_in_the_part_header_are_a_400(client, alice, settings):
    resp = await upload_raw(client, alice, "tab\tand\x07bell.txt", b"text", "text/plain")
    await assert_error(resp, 400, "simple")
    assert stored(settings) == []


async def test_a_malformed_form_after_the_file_leaves_no_file(client, alice, settings):
    body = (
        b'--XyZ\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\n'
        b"Content-Type: image/png\r\n\r\n" + png() + b"\r\n--XyZ\r\nbroken header line\x07\r\n\r\nx"
    )
    resp = await client.post(
        "/api/chat/upload",
        data=body,
        headers={**alice.headers, "Content-Type": "multipart/form-data; boundary=XyZ"},
    )
    await assert_error(resp, 400, "simple")
    assert stored(settings) == []


async def test_a_long_extra_field_is_refused_and_leaves_no_file(client, alice, settings):
    body = form("a.png", png(), "image/png")
    body.add_field("padding", "x" * 10_000)
    resp = await client.post("/api/chat/upload", data=body, headers=alice.headers)
    await assert_error(resp, 400, "simple")
    assert stored(settings) == []


async def test_concurrent_uploads_each_get_their_own_file(client, alice, bob, settings):
    people = [alice, bob] * 5
    answers = await asyncio.gather(
        *(
            upload(client, person, f"pic{i}.png", png() + bytes([i]) * 1000, "image/png")
            for i, person in enumerate(people)
        )
    )
    bodies = [await resp.json() for resp in answers]
    assert all(resp.status == 200 for resp in answers), bodies
    urls = {body["file_url"] for body in bodies}
    assert len(urls) == 10 and len(stored(settings)) == 10
    for i, body in enumerate(bodies):
        served = await client.get(body["file_url"])
        assert await served.read() == png() + bytes([i]) * 1000


async def test_served_images_are_inline_and_locked_down(client, alice):
    resp = await upload(client, alice, "photo.png", png(), "image/png")
    url = (await resp.json())["file_url"]
    served = await client.get(url)
    assert served.status == 200
    assert served.headers["Content-Type"] == "image/png"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert served.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert served.headers["Content-Disposition"].startswith("inline;")


async def test_served_documents_are_attachments_with_a_safe_name(client, alice):
    resp = await upload_raw(client, alice, "季度报告;v2.pdf", pdf(), "application/pdf")
    url = (await resp.json())["file_url"]
    served = await client.get(url)
    disposition = served.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert 'filename="_____v2.pdf"' in disposition
    assert "filename*=UTF-8''%E5%AD%A3%E5%BA%A6%E6%8A%A5%E5%91%8A%3Bv2.pdf" in disposition
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert served.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
    text = await upload(client, alice, "a.txt", b"hello", "text/plain")
    served = await client.get((await text.json())["file_url"])
    assert served.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert served.headers["Content-Disposition"].startswith("attachment;")


@pytest.mark.parametrize(
    "path",
    [
        "/uploads/chat/..%2F..%2Fteahouse.db",
        "/uploads/chat/..%2Fjwt_secret",
        "/uploads/chat/%2e%2e/%2e%2e/teahouse.db",
        "/uploads/chat/0123456789abcdef0123456789abcdef.png",
        "/uploads/chat/0123456789ABCDEF0123456789ABCDEF.png",
        "/uploads/chat/0123456789abcdef0123456789abcdef.html",
        "/uploads/chat/teahouse.db",
    ],
)
async def test_only_exact_stored_names_are_served(client, alice, path):
    await upload(client, alice, "pic.png", png(), "image/png")
    resp = await client.get(URL(path, encoded=True), headers=alice.headers)
    assert resp.status == 404
    assert b"SQLite" not in await resp.read()


async def test_a_partial_file_is_never_served(client, alice, settings):
    (settings.uploads_dir / "chat" / ("a" * 32 + ".part")).write_bytes(b"x")
    resp = await client.get("/uploads/chat/" + "a" * 32 + ".part")
    assert resp.status == 404


async def test_the_bare_path_is_no_capability_but_the_link_handed_out_is(client, alice):
    resp = await upload(client, alice, "pic.png", png(), "image/png")
    url = (await resp.json())["file_url"]
    assert (await client.get(bare(url))).status == 401
    assert (await client.get(url)).status == 200


async def test_an_upload_arrives_live_on_channels_sockets(client, alice, bob):
    ws = await client.ws_connect(f"/ws/chat/global/?token={bob.token}")
    await next_frame(ws, "connection_established")
    resp = await upload(client, alice, "live.png", png(), "image/png")
    body = await resp.json()
    frame = await next_frame(ws, "chat_message")
    while frame["message"]["message_type"] == "system":
        frame = await next_frame(ws, "chat_message")
    assert frame["message"]["id"] == int(body["id"])
    assert frame["message"]["message_type"] == "image"
    assert bare(frame["message"]["file_url"]) == bare(body["file_url"])
    assert frame["message"]["file_name"] == "live.png"
    await ws.close()


async def test_the_upload_notice_is_written_in_the_server_language(aiohttp_client, tmp_path):
    client = await aiohttp_client(create_app(Settings(data_dir=tmp_path / "zh", language="zh")))
    alice = await register(client, "alice")
    resp = await upload(client, alice, "photo.jpg", jpeg(), "image/jpeg")
    body = await resp.json()
    assert body["content"] == "发送了文件: photo.jpg" and body["message_type"] == "image"
    assert bare(body["file_url"]).endswith(".jpg") and body["file_size"] == len(jpeg())


@both_engines
async def test_deleting_a_file_message_stops_serving_the_file_and_removes_it(client, alice, bob):
    resp = await upload(client, alice, "pic.png", png(), "image/png")
    assert resp.status == 200
    stored = await resp.json()
    url = stored["file_url"]
    assert (await client.get(url)).status == 200
    relink = await client.post(
        "/api/chat/rooms/global/messages/",
        headers=bob.headers,
        json={"content": "look", "message_type": "image", "file_url": url},
    )
    assert relink.status == 201
    relinked = await relink.json()
    # bob deleting his message that merely links alice's file leaves the file alone
    assert (
        await client.delete(f"/api/chat/messages/{relinked['id']}/delete/", headers=bob.headers)
    ).status == 200
    assert (await client.get(url)).status == 200
    gone = await client.delete(f"/api/chat/messages/{stored['id']}", headers=alice.headers)
    assert gone.status == 200
    assert (await client.get(url)).status == 404
    history = await (
        await client.get("/api/chat/messages?room_id=global", headers=alice.headers)
    ).json()
    gone = next(m for m in history if m["id"] == stored["id"])
    assert gone["file_url"] is None and gone["file_name"] is None
    assert not any(client.server.app[core_key].settings.chat_uploads_dir.iterdir())


async def test_head_on_a_stored_file_answers_its_headers_without_the_body(client, alice):
    resp = await upload(client, alice, "pic.png", png(), "image/png")
    url = (await resp.json())["file_url"]
    head = await client.head(url)
    assert head.status == 200
    assert head.headers["Content-Type"] == "image/png"
    assert head.headers["X-Content-Type-Options"] == "nosniff"
    assert int(head.headers["Content-Length"]) == len(png())
    assert await head.read() == b""
    assert (
        await client.head("/uploads/chat/" + "0" * 32 + ".png", headers=alice.headers)
    ).status == 404
