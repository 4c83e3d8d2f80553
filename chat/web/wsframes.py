"""WebSocket frames written straight to the transport (RFC 6455): the hub's flush
writes a socket's whole batch in one transport write, and a shutdown hangs up without
waiting for aiohttp's close handshake."""

from __future__ import annotations

import functools
import struct


@functools.lru_cache(maxsize=256)
def text_frame(text: str) -> bytes:
    """An RFC 6455 text frame, final, unmasked and uncompressed (RFC 7692 allows that
    even when permessage-deflate was negotiated). Cached: a room's sockets all send
    the very same rendered text, so it is encoded once. A fan-out reuses an entry
    within a few loop turns; 256 entries of at most ~35 KB (5,000 characters, text and
    bytes) bound what a flood of long messages can keep alive to ~9 MB."""
    data = text.encode()
    size = len(data)
    if size < 126:
        return struct.pack("!BB", 0x81, size) + data
    if size < 65536:
        return struct.pack("!BBH", 0x81, 126, size) + data
    return struct.pack("!BBQ", 0x81, 127, size) + data


def close_frame(code: int) -> bytes:
    """A close frame with a status code and no reason."""
    return struct.pack("!BBH", 0x88, 2, code)
