"""Who is calling: the token (path, ?token=, or Bearer header) or else the login
cookie, the address (X-Forwarded-For only from trusted proxies) and the language."""

from __future__ import annotations

import functools
import ipaddress

from aiohttp import web

from chat.errors import Forbidden
from chat.i18n import pick_language
from chat.keys import core_key, credential_key, language_key, settings_key

# What browser code sends for a token it does not have (seed 004's
# `Bearer ${localStorage.getItem('access_token')}`, seed 001's `?token=${...}`): no
# token, wherever it is put, so the cookie counts.
NO_TOKEN = frozenset({"", "null", "undefined"})
# The client address when a trusted proxy forwarded a hop that is not an address
# (RFC 7239's word for it): in no network, so never trusted, and one bucket for all.
UNKNOWN = "unknown"


def token_from_request(request: web.Request) -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    for token in (
        request.match_info.get("token"),
        request.query.get("token"),
        value if scheme.lower() == "bearer" else None,
    ):
        if token is not None and token.strip() not in NO_TOKEN:
            return token.strip()
    return None


async def authenticate(request: web.Request, writes: bool | None = None):
    """The caller's User; its Credential is kept on the request. With no token the
    login cookie counts, but for a change (writes; by default any method but GET/HEAD/
    OPTIONS, and every socket) only from a page of this site: 403 otherwise (cross-site
    request forgery)."""
    return (await identify(request, writes)).user


async def identify(request: web.Request, writes: bool | None = None):
    from chat.core.people import accounts
    from chat.web.session_cookie import SAFE_METHODS, cookie_may, session_cookie

    token = token_from_request(request)
    cookie = None if token else session_cookie(request)
    credential = await accounts.identify(request.app[core_key], token, cookie)
    if writes is None:  # a socket reads and writes
        writes = (
            request.method not in SAFE_METHODS
            or request.headers.get("Upgrade", "").lower() == "websocket"
        )
    if credential.kind == "cookie" and not cookie_may(request, writes):
        raise Forbidden("cross_origin_write")
    request[credential_key] = credential
    return credential


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


def unmapped(address: str) -> str:
    """The address, an IPv4-mapped IPv6 one (::ffff:1.2.3.4, as a dual-stack listener
    sees IPv4 clients) as IPv4; anything that is not an address unchanged."""
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


def request_language(request: web.Request) -> str:
    if language_key in request:
        return request[language_key]
    default = request.app[settings_key].language
    # Browsers cannot set headers on a WebSocket: the page names its language in ?lang=.
    chosen = (
        request.query.get("lang")
        or request.headers.get("X-Language")
        or request.headers.get("Accept-Language")
    )
    language = pick_language(chosen, default)
    request[language_key] = language
    return language
