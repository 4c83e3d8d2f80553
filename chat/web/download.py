"""A download streamed as it is read (the site, room and audit-log exports): never
cached, written in 64 KiB chunks so a million small lines are not a million writes."""

from __future__ import annotations

from collections.abc import AsyncIterator

from aiohttp import web

FLUSH_BYTES = 64 * 1024


async def stream_download(
    request: web.Request, content_type: str, filename: str, chunks: AsyncIterator[bytes]
) -> web.StreamResponse:
    response = web.StreamResponse(
        headers={
            "Content-Type": content_type,
            "Cache-Control": "no-store",
            "Content-Disposition": f'attachment; filename="{filename}"',
        }
    )
    await response.prepare(request)
    pending: list[bytes] = []
    size = 0
    async for chunk in chunks:
        pending.append(chunk)
        size += len(chunk)
        if size >= FLUSH_BYTES:
            await response.write(b"".join(pending))
            pending, size = [], 0
    await response.write(b"".join(pending))
    await response.write_eof()
    return response
