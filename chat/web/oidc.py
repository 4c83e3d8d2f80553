"""OpenID Connect over HTTP: the provider's discovery document, its signing keys
(JWKS) and the code-for-token exchange, each with a time budget.

Discovery and keys are cached per provider for an hour; a token signed by a key we do
not know yet fetches the keys again (at most every KEYS_RETRY seconds), so a provider's
key rotation needs no restart.
"""

from __future__ import annotations

import base64
import json
import logging
import time
from urllib.parse import quote_plus

import aiohttp
from aiohttp import web

from chat.errors import Unauthorized, Unavailable
from chat.keys import oidc_clients_key, settings_key
from chat.signin_settings import OidcProvider

log = logging.getLogger(__name__)
CACHE_SECONDS = 3600
KEYS_RETRY = 30
TIMEOUT = aiohttp.ClientTimeout(total=10)
MAX_DOCUMENT = 256 * 1024


def basic_auth(client_id: str, secret: str) -> str:
    """client_secret_basic: both parts form-encoded first (RFC 6749, section 2.3.1)."""
    pair = f"{quote_plus(client_id)}:{quote_plus(secret)}".encode()
    return "Basic " + base64.b64encode(pair).decode()


class ProviderClient:
    def __init__(self, provider: OidcProvider, session: aiohttp.ClientSession):
        self.provider = provider
        self.session = session
        self._metadata: tuple[float, dict] | None = None
        self._keys: tuple[float, dict] | None = None
        self._refreshed = -KEYS_RETRY  # when keys were last refetched for an unknown key

    async def metadata(self) -> dict:
        if self._metadata and time.monotonic() - self._metadata[0] < CACHE_SECONDS:
            return self._metadata[1]
        url = f"{self.provider.issuer}/.well-known/openid-configuration"
        document = await self._get(url)
        # Security: a document that names another issuer is not this provider's.
        if str(document.get("issuer", "")).rstrip("/") != self.provider.issuer:
            log.warning(
                "OIDC %s: discovery names issuer %r", self.provider.name, document.get("issuer")
            )
            raise self._failed()
        for key in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
            if not isinstance(document.get(key), str):
                raise self._failed()
        self._metadata = (time.monotonic(), document)
        return document

    async def keys(self, fresh: bool = False) -> dict:
        """The provider's JWKS; fresh=True refetches unless that happened moments ago."""
        now = time.monotonic()
        if self._keys and now - self._keys[0] < CACHE_SECONDS:
            if not fresh or now - self._refreshed < KEYS_RETRY:
                return self._keys[1]
        if fresh:
            self._refreshed = now
        document = await self._get((await self.metadata())["jwks_uri"])
        self._keys = (time.monotonic(), document)
        return document

    async def exchange(self, code: str, verifier: str, redirect_uri: str) -> dict:
        """The token response for an authorization code (with its PKCE verifier)."""
        metadata = await self.metadata()
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "code_verifier": verifier,
            "client_id": self.provider.client_id,
        }
        headers = {"Accept": "application/json"}
        if self.provider.client_secret:
            methods = metadata.get("token_endpoint_auth_methods_supported") or [
                "client_secret_basic"
            ]
            if "client_secret_basic" in methods:
                headers["Authorization"] = basic_auth(
                    self.provider.client_id, self.provider.client_secret
                )
            else:
                form["client_secret"] = self.provider.client_secret
        try:
            async with self.session.post(
                metadata["token_endpoint"], data=form, headers=headers, timeout=TIMEOUT
            ) as resp:
                body = await self._json(resp)
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise self._unavailable(exc) from None
        if resp.status != 200:
            log.warning(
                "OIDC %s: token endpoint answered %s %s",
                self.provider.name,
                resp.status,
                str(body.get("error", ""))[:100],
            )
            raise self._failed()
        return body

    async def _get(self, url: str) -> dict:
        try:
            async with self.session.get(url, timeout=TIMEOUT) as resp:
                if resp.status != 200:
                    raise aiohttp.ClientResponseError(resp.request_info, (), status=resp.status)
                return await self._json(resp)
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise self._unavailable(exc) from None

    async def _json(self, resp: aiohttp.ClientResponse) -> dict:
        raw = await resp.content.read(MAX_DOCUMENT + 1)
        if len(raw) > MAX_DOCUMENT:
            raise self._failed()
        try:
            document = json.loads(raw)
        except ValueError:
            raise self._failed() from None
        if not isinstance(document, dict):
            raise self._failed()
        return document

    def _failed(self) -> Unauthorized:
        return Unauthorized("oidc_failed", provider=self.provider.label)

    def _unavailable(self, exc: Exception) -> Unavailable:
        log.warning("OIDC %s unreachable: %s", self.provider.name, type(exc).__name__)
        return Unavailable("oidc_unavailable", provider=self.provider.label)


async def run_clients(app: web.Application):
    """One HTTP session for all providers, and a client (with its caches) per provider."""
    providers = app[settings_key].oidc_providers
    if not providers:
        app[oidc_clients_key] = {}
        yield
        return
    async with aiohttp.ClientSession() as session:
        app[oidc_clients_key] = {p.name: ProviderClient(p, session) for p in providers}
        yield
