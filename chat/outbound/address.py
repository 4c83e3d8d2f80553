"""Which outbound URLs may be dialled: the SSRF rules.

Only https on port 443, no userinfo, at most CHAT_OUTBOUND_MAX_URL characters; the host is
resolved once and refused when any address it resolves to is not a public unicast one
(private, loopback, link-local, reserved, multicast, IPv4-mapped or 6to4 forms of those),
unless it lies in CHAT_OUTBOUND_ALLOW (a company's own relay, which may then use any
port). The caller pins the address it got here for the connection, so a second DNS
answer (rebinding) is never used.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class Refused(Exception):
    """An outbound URL the rules forbid; the reason is a short word for logs and tests."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Target:
    url: str
    host: str
    port: int
    address: str  # the checked address the connection is pinned to


def check_form(url: str, max_length: int) -> tuple[str, int]:
    """The checks that need no DNS: also applied when a URL is stored."""
    if not isinstance(url, str) or len(url) > max_length:
        raise Refused("too_long")
    try:
        parts = urlsplit(url)
        port = 443 if parts.port is None else parts.port
    except ValueError:
        raise Refused("malformed") from None
    if parts.scheme != "https":
        raise Refused("not_https")
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise Refused("userinfo")
    if not parts.hostname:
        raise Refused("no_host")
    return parts.hostname, port


def unwrapped(address: IPAddress) -> IPAddress:
    """The IPv4 address hidden in an IPv4-mapped, 6to4 or Teredo IPv6 address."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped:
            return address.ipv4_mapped
        if address.sixtofour:
            return address.sixtofour
        if address.teredo:
            return address.teredo[1]
    return address


def is_public(address: IPAddress) -> bool:
    inner = unwrapped(address)
    return all(a.is_global and not a.is_multicast for a in (address, inner))


def allowed(address: IPAddress, allow: tuple[Network, ...]) -> bool:
    return any(
        address in net or unwrapped(address) in net
        for net in allow
        if net.version == address.version or net.version == unwrapped(address).version
    )


async def resolve(host: str, port: int) -> list[IPAddress]:
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise Refused("unresolvable") from None
    # Scope ids ("fe80::1%eth0") are cut: the address decides, not the interface.
    return [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]


async def check(url: str, allow: tuple[Network, ...], max_length: int) -> Target:
    host, port = check_form(url, max_length)
    addresses = await resolve(host, port)
    if not addresses:
        raise Refused("unresolvable")
    for address in addresses:
        if allowed(address, allow):
            continue
        if not is_public(address):
            raise Refused("private_address")
        if port != 443:
            raise Refused("port")
    return Target(url, host, port, str(addresses[0]))
