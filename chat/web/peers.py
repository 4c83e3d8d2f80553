"""Who is on the other end of a connection: whether it is one of our proxies (whose
X-Forwarded-* we believe, CHAT_TRUSTED_PROXIES), and the client's address behind them.

Below auth.py and session_cookie.py, which both ask (the cookie's Secure flag follows a
trusted proxy's X-Forwarded-Proto); the budgets, logs and /metrics ask too.
"""

from __future__ import annotations

import functools
import ipaddress

from aiohttp import web

from chat.keys import settings_key

# The client address when a trusted proxy forwarded a hop that is not an address
# (RFC 7239's word for it): in no network, so never trusted, and one bucket for all.
UNKNOWN = "unknown"


def trusted_peer(request: web.Request) -> bool:
    """The connection comes from one of our proxies, whose X-Forwarded-* we believe."""
    return bool(request.remote) and in_networks(
        request.remote, request.app[settings_key].trusted_proxies
    )


def client_address(request: web.Request) -> str | None:
    """The first address from the right of X-Forwarded-For that is not a trusted proxy.

    A proxy appends the address it saw to whatever the client sent, so only the hops
    our own proxies added can be believed: the leftmost entries are the client's to
    invent. A hop that is not an address ("unknown", empty, garbage) ends the walk with
    UNKNOWN: the client cannot be named, and must never pass for the proxy that
    forwarded it (often loopback, which /metrics trusts)."""
    peer = request.remote and unmapped(request.remote)
    if not trusted_peer(request) or "X-Forwarded-For" not in request.headers:
        return peer  # no header from a proxy's own host: a request made there
    trusted = request.app[settings_key].trusted_proxies
    hops = ",".join(request.headers.getall("X-Forwarded-For")).split(",")
    for hop in reversed(hops):
        address = hop_address(hop)
        if address is None:
            return UNKNOWN
        if not in_networks(address, trusted):
            return address
    return address


def hop_address(hop: str) -> str | None:
    """One X-Forwarded-For entry as the address it names, in the forms proxies write:
    1.2.3.4, 1.2.3.4:5678, 2001:db8::1, [2001:db8::1], [2001:db8::1]:5678 (quoted or
    not; an IPv4-mapped IPv6 address as IPv4). None for anything else."""
    text = hop.strip().strip('"')
    if text.startswith("["):
        text, bracket, port = text[1:].partition("]")
        if not bracket or (port and not (port.startswith(":") and is_port(port[1:]))):
            return None
    elif text.count(":") == 1:  # one colon is a port; an IPv6 address has two or more
        text, _, port = text.partition(":")
        if not is_port(port):
            return None
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return None
    return unmapped(text)


@functools.lru_cache(maxsize=4096)
def unmapped(address: str) -> str:
    """The address, an IPv4-mapped IPv6 one (::ffff:1.2.3.4, as a dual-stack listener
    sees IPv4 clients) as IPv4; anything that is not an address unchanged. Cached like
    in_networks: a request asks several times (budgets, audit, access log), and in a
    reconnect storm the parsing was ~5 % of the server's time."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    mapped = ip.ipv4_mapped if isinstance(ip, ipaddress.IPv6Address) else None
    return str(mapped or ip)


def is_port(text: str) -> bool:
    return text.isascii() and text.isdigit() and len(text) <= 5


@functools.lru_cache(maxsize=4096)
def in_networks(address: str, networks: tuple[str, ...]) -> bool:
    """Cached: every request and every socket's open and close asks about its peer,
    and parsing the address and the networks each time cost ~20 µs."""
    try:
        ip = ipaddress.ip_address(unmapped(address))
    except ValueError:
        return False
    return any(ip in ipaddress.ip_network(net, strict=False) for net in networks)
