"""An aiohttp session that dials only addresses chat/outbound/address.py checked: the
resolver answers each host with its pinned address and refuses any other, and redirects
are never followed (a 3xx is an answer, not a new destination)."""

from __future__ import annotations

import socket
import ssl
from contextlib import asynccontextmanager

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult

from chat.outbound.address import Target

MAX_PINS = 1024  # distinct hosts in flight are a handful; a flood of names cannot grow this


class PinnedResolver(AbstractResolver):
    def __init__(self) -> None:
        self.pins: dict[tuple[str, int], str] = {}

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        address = self.pins.get((host, port))
        if address is None:
            raise OSError(f"{host}:{port} was not checked for outbound requests")
        kind = socket.AF_INET6 if ":" in address else socket.AF_INET
        return [
            ResolveResult(
                hostname=host,
                host=address,
                port=port,
                family=kind,
                proto=0,
                flags=socket.AI_NUMERICHOST,
            )
        ]

    async def close(self) -> None:
        return None


class OutboundSession:
    def __init__(self, timeout: float, ca_file: str | None = None, limit: int = 10):
        """limit: connections in flight (0: no cap; a bot's own workers are its cap).
        Without a CA file, aiohttp's verified default context (built once per process):
        a context of our own reads the system CA store, about 40 ms of CPU, and an app
        opens three sessions at every start."""
        context: ssl.SSLContext | bool = True
        if ca_file:  # a company relay signed by the company's own CA
            context = ssl.create_default_context()
            context.load_verify_locations(ca_file)
        self.resolver = PinnedResolver()
        self.session = aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=timeout),
            connector=aiohttp.TCPConnector(
                resolver=self.resolver, ssl=context, limit=limit, use_dns_cache=False
            ),
        )

    @asynccontextmanager
    async def request(self, method: str, target: Target, **options):
        if len(self.resolver.pins) >= MAX_PINS:
            self.resolver.pins.clear()
        self.resolver.pins[(target.host, target.port)] = target.address
        async with self.session.request(
            method, target.url, allow_redirects=False, **options
        ) as resp:
            yield resp

    def post(self, target: Target, body: bytes, headers: dict):
        return self.request("POST", target, data=body, headers=headers)

    async def close(self) -> None:
        await self.session.close()
