"""Who is calling: the access token (path, ?token=, or Bearer header), the address
(X-Forwarded-For only from trusted proxies) and the language."""
from __future__ import annotations

import ipaddress

from aiohttp import web

from ..i18n import pick_language
from ..keys import core_key, language_key, settings_key


def token_from_request(request: web.Request) -> str | None:
    if token := request.match_info.get("token"):
        return token
    if token := request.query.get("token"):
        return token
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return None


async def authenticate(request: web.Request):
    from ..core import accounts
    return await accounts.authenticate(request.app[core_key], token_from_request(request))


def client_address(request: web.Request) -> str | None:
    """The peer, or behind trusted proxies the nearest X-Forwarded-For hop that is not one.

    Security: proxies append, so only the entries right of the first untrusted hop were
    written by our proxies; anything further left came from the client and may be forged.
    """
    peer = request.remote
    trusted = request.app[settings_key].trusted_proxies
    if not peer or not _in_networks(peer, trusted):
        return peer
    hops = [hop.strip() for hop in request.headers.get("X-Forwarded-For", "").split(",")]
    for hop in reversed(hops):
        if not _is_address(hop):
            break
        if not _in_networks(hop, trusted):
            return hop
    return peer


def _is_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def _in_networks(address: str, networks: tuple[str, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in ipaddress.ip_network(net, strict=False) for net in networks)


def request_language(request: web.Request) -> str:
    if language_key in request:
        return request[language_key]
    default = request.app[settings_key].language
    chosen = request.headers.get("X-Language") or request.headers.get("Accept-Language")
    language = pick_language(chosen, default)
    request[language_key] = language
    return language
