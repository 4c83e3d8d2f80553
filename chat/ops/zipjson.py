"""JSON arrays read out of a zip archive within size limits, one item at a time.

An archive's sizes are the archive's to claim: a 62 kB zip can unpack to gigabytes,
and json.loads of 63 MB of small objects took 4.3 GB. So the sizes the archive
declares are checked before anything is read, the bytes are counted again while they
are unpacked (a forged header is caught at the limit, not at the end), and an array
is decoded item by item, so memory holds one item and what the caller keeps.
"""

from __future__ import annotations

import codecs
import json
import zipfile
from collections.abc import Iterator
from typing import Any

from chat.ops.importing import ImportFailed

READ_SIZE = 1024 * 1024  # unpacked bytes read at a time
MAX_ITEM = 8 * 1024 * 1024  # one array item (a user, a message), as text
WHITESPACE = " \t\n\r"


def check_total(archive: zipfile.ZipFile, max_total: int) -> None:
    """Refuse an archive whose declared unpacked size is over max_total bytes."""
    total = sum(info.file_size for info in archive.infolist())
    if total > max_total:
        raise ImportFailed(
            f"the archive unpacks to {total} bytes, more than the "
            f"{max_total} allowed (CHAT_IMPORT_MAX_TOTAL_MB)"
        )


def array_items(archive: zipfile.ZipFile, name: str, max_bytes: int) -> Iterator[Any]:
    """The items of the JSON array in the member name, which may unpack to at most
    max_bytes (checked against its header and again while reading)."""
    info = archive.getinfo(name)
    if info.file_size > max_bytes:
        raise ImportFailed(
            f"{name} unpacks to {info.file_size} bytes, more than the "
            f"{max_bytes} allowed for one file (CHAT_IMPORT_MAX_FILE_MB)"
        )
    with archive.open(info) as raw:
        yield from ArrayReader(name).items(texts(raw, name, min(max_bytes, info.file_size)))


def texts(raw, name: str, limit: int) -> Iterator[str]:
    decoder = codecs.getincrementaldecoder("utf-8")()
    seen = 0
    while block := raw.read(READ_SIZE):
        seen += len(block)
        if seen > limit:
            raise ImportFailed(f"{name} unpacks to more than its {limit} bytes")
        try:
            yield decoder.decode(block)
        except UnicodeDecodeError:
            raise ImportFailed(f"{name} is not UTF-8 text") from None
    yield decoder.decode(b"", final=True)


class ArrayReader:
    """Decodes "[item, item, ...]" from pieces of text without holding all of it."""

    def __init__(self, name: str):
        self.name = name
        self.decoder = json.JSONDecoder()

    def items(self, pieces: Iterator[str]) -> Iterator[Any]:
        buffer, expect = "", "["  # "[": the start; ",": between items; "item": after "["/","
        for piece in pieces:
            buffer += piece
            buffer, expect, found = self.drain(buffer, expect, final=False)
            yield from found
        buffer, expect, found = self.drain(buffer, expect, final=True)
        yield from found
        if expect != "end" or buffer.strip(WHITESPACE):
            raise ImportFailed(f"{self.name} is not a JSON list")

    def drain(self, buffer: str, expect: str, final: bool) -> tuple[str, str, list]:
        """Decode what the buffer holds completely; (rest, state, items)."""
        found, pos = [], 0
        while True:
            while pos < len(buffer) and buffer[pos] in WHITESPACE:
                pos += 1
            if pos == len(buffer) or expect == "end":
                return buffer[pos:], expect, found
            char = buffer[pos]
            if expect == "[":
                if char != "[":
                    raise ImportFailed(f"{self.name} is not a JSON list")
                pos, expect = pos + 1, "first"
            elif expect in ("first", ",") and char == "]":
                pos, expect = pos + 1, "end"
            elif expect == ",":
                if char != ",":
                    raise ImportFailed(f"{self.name} is not valid JSON")
                pos, expect = pos + 1, "item"
            else:
                try:
                    item, end = self.decoder.raw_decode(buffer, pos)
                except ValueError:
                    end = None
                # A value that reaches the buffer's end may continue in the next piece.
                if end is None or (end == len(buffer) and not final):
                    if final:
                        raise ImportFailed(f"{self.name} is not valid JSON")
                    if len(buffer) - pos > MAX_ITEM:
                        raise ImportFailed(f"{self.name} has an item over {MAX_ITEM} bytes")
                    return buffer[pos:], expect, found
                found.append(item)
                pos, expect = end, ","
