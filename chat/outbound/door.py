"""The door itself: one outbound request under a Policy, for every caller (bots, link
previews). Every hop is checked by chat/outbound/address.py and dialled at its pinned
address; redirects are followed only when the caller allows some (each one re-checked,
at most that many); the whole exchange has one deadline; the body is read up to a cap
(then cut or refused) and only in the content types asked for. Each outcome is counted
per caller for /metrics."""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass
from urllib.parse import urljoin

import aiohttp

from chat.outbound.address import Policy, Refused, Resolver, check, resolve
from chat.outbound.session import OutboundSession

REDIRECTS = (301, 302, 303, 307, 308)
CHUNK = 64 * 1024


class Unreachable(Exception):
    """The request was allowed but failed: timeout, refused connection, bad TLS."""


@dataclass(frozen=True)
class Reply:
    status: int
    content_type: str
    body: bytes
    url: str  # the last hop's URL
    charset: str | None = None
    truncated: bool = False


class Door:
    def __init__(
        self,
        purpose: str,
        policy: Policy,
        timeout: float,
        counts: Counter,
        ca_file: str | None = None,
        limit: int = 10,
        resolver: Resolver = resolve,
    ):
        self.purpose = purpose
        self.policy = policy
        self.timeout = timeout
        self.counts = counts  # (purpose, outcome) -> n, shared by every door of the app
        self.resolver = resolver  # tests point test names at loopback here
        self.session = OutboundSession(timeout, ca_file, limit)

    async def fetch(
        self,
        method: str,
        url: str,
        *,
        max_bytes: int,
        redirects: int = 0,
        content_types: tuple[str, ...] = (),
        cut: bool = False,
        **options,
    ) -> Reply:
        """Refused when the rules forbid a hop, a type or (unless cut) the size;
        Unreachable when the world fails."""
        try:
            async with asyncio.timeout(self.timeout):
                reply = await self._follow(
                    method, url, max_bytes, redirects, content_types, cut, options
                )
        except Refused as exc:
            self.counts[(self.purpose, exc.reason)] += 1
            raise
        except (TimeoutError, aiohttp.ClientError, OSError, ValueError) as exc:
            self.counts[(self.purpose, "failed")] += 1
            raise Unreachable(type(exc).__name__) from None
        self.counts[(self.purpose, "fetched")] += 1
        return reply

    async def _follow(self, method, url, max_bytes, redirects, content_types, cut, options):
        hops = 0
        while True:
            target = await check(url, self.policy, self.resolver)
            async with self.session.request(method, target, **options) as resp:
                location = resp.headers.get("Location")
                if redirects and resp.status in REDIRECTS and location:
                    hops += 1
                    if hops > redirects:
                        raise Refused("redirects")
                    url = urljoin(url, location)
                    if method != "GET" and resp.status in (301, 302, 303):
                        method, options = (
                            "GET",
                            {k: v for k, v in options.items() if k == "headers"},
                        )
                    continue
                if content_types and resp.content_type not in content_types:
                    raise Refused("content_type")
                if not cut and (resp.content_length or 0) > max_bytes:
                    raise Refused("too_large")
                body, truncated = await read_capped(resp, max_bytes)
                if truncated and not cut:
                    raise Refused("too_large")
                return Reply(resp.status, resp.content_type, body, url, resp.charset, truncated)

    async def close(self) -> None:
        await self.session.close()


async def read_capped(resp: aiohttp.ClientResponse, max_bytes: int) -> tuple[bytes, bool]:
    """At most max_bytes of the (decompressed) body; the rest is never downloaded."""
    chunks, size = [], 0
    async for chunk in resp.content.iter_chunked(CHUNK):
        chunks.append(chunk)
        size += len(chunk)
        if size > max_bytes:
            return b"".join(chunks)[:max_bytes], True
    return b"".join(chunks), False
