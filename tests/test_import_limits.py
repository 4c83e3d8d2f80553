"""Imports read within limits: a Slack zip's sizes are checked before reading and while
unpacking, its JSON is read item by item, and a Teahouse export's file chunks may not
exceed the size their upload record declared."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import struct
import time
import zipfile
from dataclasses import replace

import pytest

from chat.core.site.export_records import FORMAT, VERSION
from chat.ops.importing import ImportFailed, import_export
from chat.ops.slack import import_slack
from chat.ops.zipjson import ArrayReader
from tests.test_slack_import import CHANNELS, USERS, slack_zip

MB = 1024 * 1024


def many_users(count: int) -> str:
    """users.json with count small users: it packs to almost nothing."""
    return "[" + ",".join(f'{{"id": "U{n}", "name": "u{n}"}}' for n in range(count)) + "]"


async def refused(settings, path, match: str) -> float:
    started = time.monotonic()
    with pytest.raises(ImportFailed, match=match):
        await asyncio.to_thread(import_slack, settings, path)
    assert not settings.database_path.exists()
    return time.monotonic() - started


async def test_a_slack_file_over_the_cap_is_refused_before_it_is_read(settings, tmp_path):
    path = tmp_path / "bomb.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("users.json", many_users(150_000))  # ~5 MB unpacked
        archive.writestr("channels.json", json.dumps(CHANNELS))
    assert path.stat().st_size < 1 * MB
    target = replace(settings, import_max_file_mb=2)
    assert await refused(target, path, "users.json unpacks to") < 1.0


async def test_a_slack_export_over_the_total_cap_is_refused(settings, tmp_path):
    path = tmp_path / "wide.zip"
    slack_zip(
        path, **{f"design/2023-12-{day:02d}.json": "[" + " " * MB + "]" for day in range(1, 4)}
    )
    await refused(replace(settings, import_max_total_mb=2), path, "CHAT_IMPORT_MAX_TOTAL_MB")


def forge_sizes(path, name: str, size: int) -> None:
    """Rewrite the uncompressed size name's headers claim (local and central)."""
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(name)
    struct.pack_into("<I", data, info.header_offset + 22, size)
    central = data.find(b"PK\x01\x02")
    while central != -1:
        name_len = struct.unpack_from("<H", data, central + 28)[0]
        if data[central + 46 : central + 46 + name_len] == name.encode():
            struct.pack_into("<I", data, central + 24, size)
        central = data.find(b"PK\x01\x02", central + 4)
    path.write_bytes(bytes(data))


async def test_a_zip_that_lies_about_a_size_is_refused(settings, tmp_path):
    path = tmp_path / "liar.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("users.json", many_users(60_000))  # ~2 MB, claims 100 bytes
        archive.writestr("channels.json", json.dumps(CHANNELS))
    forge_sizes(path, "users.json", 100)
    assert await refused(settings, path, "users.json") < 2.0


async def test_a_slack_json_file_is_read_item_by_item(settings, tmp_path):
    """Items split across read blocks, numbers at a block's end, a list in a list."""
    items = [{"n": n, "text": "é" * (n % 7), "nested": [n, [n]]} for n in range(2000)] + [7, 123456]
    text = json.dumps(items, ensure_ascii=False)
    pieces = (text[at : at + 7] for at in range(0, len(text), 7))  # items cross every piece
    assert list(ArrayReader("items.json").items(pieces)) == items
    for broken in ("{}", "[1,]", "[1 2]", "[1", "[] []"):
        with pytest.raises(ImportFailed, match="items.json"):
            list(ArrayReader("items.json").items(iter([broken])))
    slack_zip(tmp_path / "ok.zip", **{"users.json": json.dumps(USERS, indent=2)})
    counts = await asyncio.to_thread(import_slack, settings, tmp_path / "ok.zip")
    assert counts["users"] == 3 and counts["messages"] == 5


async def test_an_export_chunk_beyond_its_declared_size_is_refused_before_writing(
    settings, tmp_path
):
    data = b"x" * (192 * 1024)
    lines = [
        {"type": "export", "format": FORMAT, "version": VERSION, "scope": "site"},
        {
            "type": "upload",
            "name": "0" * 32 + ".png",
            "original_name": "a.png",
            "size": 10,
            "uploader_id": None,
            "created_at": "2026-01-01T00:00:00Z",
            "sha256": hashlib.sha256(data[:10]).hexdigest(),
        },
    ]
    lines += [
        {"type": "file_chunk", "name": "0" * 32 + ".png", "data": base64.b64encode(data).decode()}
    ] * 20
    lines.append({"type": "end"})
    path = tmp_path / "oversized.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines))
    with pytest.raises(ImportFailed, match="larger than its declared 10 bytes"):
        await asyncio.to_thread(import_export, settings, path)
    assert not settings.database_path.exists()
    assert not any(p.is_file() for p in settings.uploads_dir.rglob("*"))
