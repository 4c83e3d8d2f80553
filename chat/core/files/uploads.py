"""Uploads: a file streamed into uploads/chat/ under an unguessable name, judged by its
bytes, its name and its declared type together, then posted as an image or file message.

The client's file name is cleaned for display and never used as a path. A refused,
oversize or interrupted upload leaves no file and no record behind.
"""

from __future__ import annotations

import asyncio
import codecs
import errno
import os
import re
import unicodedata
import uuid
import zipfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from chat import durable
from chat.core import Core, Outcome
from chat.core.conversation import messages
from chat.db import uploads as upload_sql
from chat.errors import (
    BadInput,
    InsufficientStorage,
    NotFound,
    TimedOut,
    TooLarge,
    UnsupportedMedia,
)
from chat.models import SendResult, User

ReadChunk = Callable[[], Awaitable[bytes]]  # b"" at the end of the file
GENERIC_TYPES = frozenset({"", "application/octet-stream"})
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
MAX_NAME = 255
SNIFF = 4096
UNSAFE_CATEGORIES = ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp")  # controls, bidi overrides


def head(path: Path, size: int = 16) -> bytes:
    with open(path, "rb") as handle:
        return handle.read(size)


def starts_with(*magic: bytes) -> Callable[[Path], bool]:
    return lambda path: head(path).startswith(magic)


def is_webp(path: Path) -> bool:
    start = head(path)
    return start[:4] == b"RIFF" and start[8:12] == b"WEBP"


def contains_any(path: Path, needles: list[bytes]) -> bool:
    overlap = max(map(len, needles))
    tail = b""
    with open(path, "rb") as handle:
        while block := handle.read(256 * 1024):
            window = tail + block
            if any(needle in window for needle in needles):
                return True
            tail = window[-overlap:]
    return False


def is_ole2_with(*streams: str) -> Callable[[Path], bool]:
    """An OLE2 compound file whose directory names one of these streams (so an
    installer or another Office format does not pass as a document)."""
    names = [stream.encode("utf-16-le") for stream in streams]
    return lambda path: head(path).startswith(OLE2) and contains_any(path, names)


def is_zip_with(folder: str) -> Callable[[Path], bool]:
    def check(path: Path) -> bool:
        if not head(path).startswith(b"PK\x03\x04"):
            return False
        try:
            with zipfile.ZipFile(path) as archive:
                names = archive.namelist()
        except (zipfile.BadZipFile, OSError, ValueError, EOFError):
            return False
        return "[Content_Types].xml" in names and any(n.startswith(folder) for n in names)

    return check


def is_text(path: Path) -> bool:
    """Valid UTF-8 without NUL bytes. Markup and scripts are text too (teams share logs,
    HTML snippets and code): they are served as text/plain attachments with nosniff and
    a sandboxing CSP, so no browser renders or runs them."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    with open(path, "rb") as handle:
        block = handle.read(SNIFF)
        try:
            while block:
                if b"\x00" in block:
                    return False
                decoder.decode(block)
                block = handle.read(64 * 1024)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return False
    return True


@dataclass(frozen=True)
class FileKind:
    extension: str  # the canonical extension of the stored name
    content_type: str  # what we serve it as
    declared: frozenset[str]  # declared types that agree with it
    check: Callable[[Path], bool]  # the bytes agree with it
    raster: bool = False


def kind(
    extension: str,
    content_type: str,
    declared: tuple[str, ...],
    check: Callable[[Path], bool],
    raster: bool = False,
) -> FileKind:
    base = content_type.split(";")[0]
    return FileKind(extension, content_type, frozenset((base, *declared)), check, raster)


JPEG = kind(
    "jpg", "image/jpeg", ("image/jpg", "image/pjpeg"), starts_with(b"\xff\xd8\xff"), raster=True
)
PNG = kind("png", "image/png", ("image/x-png",), starts_with(b"\x89PNG\r\n\x1a\n"), raster=True)
GIF = kind("gif", "image/gif", (), starts_with(b"GIF87a", b"GIF89a"), raster=True)
WEBP = kind("webp", "image/webp", (), is_webp, raster=True)
PDF = kind("pdf", "application/pdf", ("application/x-pdf",), starts_with(b"%PDF-"))
TXT = kind("txt", "text/plain; charset=utf-8", (), is_text)
DOC = kind("doc", "application/msword", (), is_ole2_with("WordDocument"))
XLS = kind("xls", "application/vnd.ms-excel", (), is_ole2_with("Workbook", "Book"))
DOCX = kind(
    "docx",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    (),
    is_zip_with("word/"),
)
XLSX = kind(
    "xlsx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    (),
    is_zip_with("xl/"),
)
KINDS = {k.extension: k for k in (JPEG, PNG, GIF, WEBP, PDF, TXT, DOC, XLS, DOCX, XLSX)}
BY_EXTENSION = {**KINDS, "jpeg": JPEG}
STORED_NAME = re.compile(r"[0-9a-f]{32}\.(" + "|".join(KINDS) + ")")


@dataclass(frozen=True)
class StoredFile:
    path: Path
    display_name: str
    kind: FileKind
    size: int

    @property
    def url(self) -> str:
        return f"/uploads/chat/{self.path.name}"


@dataclass(frozen=True)
class ServedFile:
    path: Path
    display_name: str
    kind: FileKind


def clean_name(raw) -> str:
    """The last path component, without control or direction characters, ≤ 255 chars."""
    name = re.split(r"[\\/]", str(raw or ""))[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch) not in UNSAFE_CATEGORIES)
    name = name.strip(" .")
    if len(name) > MAX_NAME:
        stem, dot, extension = name.rpartition(".")
        suffix = dot + extension if stem and len(extension) < 16 else ""
        name = name[: MAX_NAME - len(suffix)] + suffix
    return name or "upload"


def kind_of(name: str, declared_type: str | None) -> FileKind:
    """The kind the name and the declared type agree on, before a byte is read."""
    extension = name.rpartition(".")[2].lower() if "." in name else ""
    found = BY_EXTENSION.get(extension)
    declared = (declared_type or "").split(";")[0].strip().lower()
    if found is None or (declared not in GENERIC_TYPES and declared not in found.declared):
        raise UnsupportedMedia("file_type", name=name)
    return found


def folder(core: Core) -> Path:
    return core.settings.chat_uploads_dir


async def write_limited(path: Path, read_chunk: ReadChunk, limit: int, idle: float) -> int:
    """Copy chunks to path; stop reading the moment the limit is crossed, or when no
    byte came for `idle` seconds (a stalled upload must not hold its connection and
    .part file for minutes); a full disk is a 507, not a 500."""
    size = 0
    try:
        # 0600: the team's files are nobody else's on this machine (see chat/ops/datadir.py).
        with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as out:
            while chunk := await next_chunk(read_chunk, idle):
                size += len(chunk)
                if size > limit:
                    raise TooLarge("file_too_large", limit_mb=f"{limit / 2**20:g}")
                out.write(chunk)
    except OSError as exc:
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            raise InsufficientStorage("disk_full") from None
        raise
    return size


async def next_chunk(read_chunk: ReadChunk, idle: float) -> bytes:
    try:
        return await asyncio.wait_for(read_chunk(), idle)
    except TimeoutError:
        raise TimedOut("upload_stalled", seconds=f"{idle:g}") from None


async def store(
    core: Core, user: User, filename, declared_type: str | None, read_chunk: ReadChunk
) -> StoredFile:
    """Stream a file to disk and keep it only if its bytes match its name and type."""
    await core.limits.check(user.id, "uploads")
    display_name = clean_name(filename)
    found = kind_of(display_name, declared_type)
    partial = folder(core) / f"{uuid.uuid4().hex}.part"
    try:
        size = await write_limited(
            partial, read_chunk, core.settings.max_upload_bytes, core.settings.upload_idle_timeout
        )
        if size == 0:
            raise BadInput("file_empty")
        if not await asyncio.to_thread(found.check, partial):
            raise UnsupportedMedia("file_type", name=display_name)
        final = partial.with_suffix("." + found.extension)
        # Durable under its final name before its row is committed: a power cut then
        # leaves at worst a file without a row (never served, never backed up), never a
        # row, a message or an acknowledgement without its file.
        await asyncio.to_thread(durable.replace, partial, final)
    finally:
        partial.unlink(missing_ok=True)
    return StoredFile(final, display_name, found, size)


async def post(core: Core, user: User, room_ref, stored: StoredFile) -> SendResult:
    """Record the file, then post it to the room; on any failure both go away.

    The record is committed first so that a client never sees a link that 404s.
    """

    async def record(conn):
        await upload_sql.insert_upload(
            conn, stored.path.name, stored.display_name, stored.size, user.id
        )
        return Outcome(None)

    try:
        await core.commit(record)
        return await messages.send(
            core,
            user,
            room_ref or "global",
            core.text("uploaded_file", name=stored.display_name),
            "image" if stored.kind.raster else "file",
            file_url=stored.url,
            file_name=stored.display_name,
            file_size=stored.size,
            text_key="uploaded_file",
        )
    except BaseException:
        await discard(core, stored)
        raise


async def discard(core: Core, stored: StoredFile) -> None:
    stored.path.unlink(missing_ok=True)

    async def forget(conn):
        await upload_sql.delete_upload(conn, stored.path.name)
        return Outcome(None)

    await core.commit(forget)


async def find(core: Core, name: str) -> ServedFile:
    """A stored upload by its exact name; anything else, traversal included, is 404."""
    match = STORED_NAME.fullmatch(name)
    if match is None:
        raise NotFound("not_found")
    row = await upload_sql.upload_by_name(core.db.reader, name)
    path = folder(core) / name
    if row is None or not path.is_file():
        raise NotFound("not_found")
    return ServedFile(path, row["original_name"], KINDS[match.group(1)])
