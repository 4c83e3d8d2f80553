"""Which outbound URLs may be dialled: the SSRF rules, the same for every caller.

A Policy names the schemes and ports a caller may use (Web Push: https on 443; bots and
link previews: http/https on 80/443 plus CHAT_OUTBOUND_PORTS). A URL has no userinfo and
at most CHAT_OUTBOUND_MAX_URL characters; its host is resolved once and refused when any
address it resolves to is not a public unicast one (private, loopback, link-local,
reserved, multicast, unspecified, IPv4-mapped, 6to4, Teredo or NAT64 forms of those). Exceptions
are explicit: networks in CHAT_OUTBOUND_ALLOW and names in CHAT_OUTBOUND_ALLOW_HOSTS (a
company's own hosts) may be dialled on any port; CHAT_OUTBOUND_DENY (names, a leading dot
for a whole domain, or networks) wins over everything. The caller pins the address it
got here for the connection, so a second DNS answer (rebinding) is never used.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Resolver = Callable[[str, int], Awaitable[list[IPAddress]]]
DEFAULT_PORTS = {"http": 80, "https": 443}


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


@dataclass(frozen=True)
class Policy:
    schemes: frozenset = frozenset({"https"})
    ports: frozenset = frozenset({443})
    allow: tuple = ()  # networks dialled although not public, on any port
    allow_hosts: frozenset = frozenset()  # names dialled whatever they resolve to
    deny: tuple = ()  # networks never dialled
    deny_hosts: tuple = ()  # names ("intranet.example") or domains (".example")
    max_url: int = 1024


def push_policy(settings) -> Policy:
    """Web Push: https on 443 only (push services are public)."""
    return Policy(
        allow=settings.outbound_allow,
        allow_hosts=settings.outbound_allow_hosts,
        deny=settings.outbound_deny,
        deny_hosts=settings.outbound_deny_hosts,
        max_url=settings.outbound_max_url,
    )


def web_policy(settings) -> Policy:
    """Bots and link previews: http or https, on 80/443 and CHAT_OUTBOUND_PORTS."""
    return Policy(
        schemes=frozenset({"http", "https"}),
        ports=frozenset({80, 443, *settings.outbound_ports}),
        allow=settings.outbound_allow,
        allow_hosts=settings.outbound_allow_hosts,
        deny=settings.outbound_deny,
        deny_hosts=settings.outbound_deny_hosts,
        max_url=max(settings.outbound_max_url, 2048),
    )


def host_name(host: str) -> str:
    return host.lower().rstrip(".")


def check_form(url: str, max_length: int, schemes=frozenset({"https"})) -> tuple[str, int]:
    """The checks that need no DNS: also applied when a URL is stored."""
    if not isinstance(url, str) or len(url) > max_length:
        raise Refused("too_long")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise Refused("malformed") from None
    if parts.scheme not in schemes:
        raise Refused("not_https" if schemes == {"https"} else "scheme")
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise Refused("userinfo")
    if not parts.hostname:
        raise Refused("no_host")
    return parts.hostname, DEFAULT_PORTS[parts.scheme] if port is None else port


NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))


def unwrapped(address: IPAddress) -> IPAddress:
    """The IPv4 address hidden in an IPv4-mapped, 6to4, Teredo or NAT64 IPv6 address."""
    if isinstance(address, ipaddress.IPv6Address):
        if any(address in net for net in NAT64):  # a NAT64 gateway dials the low 32 bits
            return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
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


def in_networks(address: IPAddress, networks: tuple[Network, ...]) -> bool:
    inner = unwrapped(address)
    return any(
        (net.version == address.version and address in net)
        or (net.version == inner.version and inner in net)
        for net in networks
    )


def denied_host(host: str, deny_hosts: tuple[str, ...]) -> bool:
    name = host_name(host)
    return any(
        name == entry or (entry.startswith(".") and (name.endswith(entry) or name == entry[1:]))
        for entry in deny_hosts
    )


async def resolve(host: str, port: int) -> list[IPAddress]:
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise Refused("unresolvable") from None
    # Scope ids ("fe80::1%eth0") are cut: the address decides, not the interface.
    return [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]


async def check(url: str, policy: Policy, resolver: Resolver = resolve) -> Target:
    host, port = check_form(url, policy.max_url, policy.schemes)
    if denied_host(host, policy.deny_hosts):
        raise Refused("denied")
    addresses = await resolver(host, port)
    if not addresses:
        raise Refused("unresolvable")
    named = host_name(host) in policy.allow_hosts
    for address in addresses:
        if in_networks(address, policy.deny):
            raise Refused("denied")
        if named or in_networks(address, policy.allow):
            continue
        if not is_public(address):
            raise Refused("private_address")
        if port not in policy.ports:
            raise Refused("port")
    return Target(url, host, port, str(addresses[0]))
