"""OpenID Connect, the protocol part: a sign-in flow's secrets (state, nonce, PKCE),
the authorization URL, and the checks an ID token must pass before anyone is signed in.

No network here (chat/web/oidc.py fetches discovery, keys and tokens), so every check
is a plain function of its inputs.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from urllib.parse import urlencode

import jwt

from chat.core.people.identities import Profile
from chat.errors import Unauthorized
from chat.signin_settings import OidcProvider

FLOW_SECONDS = 600  # a sign-in at the provider must finish within 10 minutes
LEEWAY = 60  # clock skew tolerated on exp/iat/nbf, in seconds
FLOW_TYPE = "oidc_flow"


class UnknownKey(Exception):
    """The token names a key the JWKS we hold does not have (the provider rotated)."""


@dataclass(frozen=True)
class Flow:
    """One browser's sign-in in progress; kept in a signed cookie until the callback."""

    provider: str
    state: str
    nonce: str
    verifier: str


def new_flow(provider: OidcProvider) -> Flow:
    return Flow(
        provider.name,
        secrets.token_urlsafe(24),
        secrets.token_urlsafe(24),
        secrets.token_urlsafe(48),
    )


def seal_flow(secret: str, flow: Flow) -> str:
    now = int(time.time())
    return jwt.encode(
        {
            "type": FLOW_TYPE,
            "p": flow.provider,
            "state": flow.state,
            "nonce": flow.nonce,
            "v": flow.verifier,
            "iat": now,
            "exp": now + FLOW_SECONDS,
        },
        secret,
        algorithm="HS256",
    )


def open_flow(secret: str, sealed: str | None, provider: str, state) -> Flow:
    """The flow of this browser's cookie, if the callback's state is the one it started."""
    try:
        claims = jwt.decode(
            sealed or "", secret, algorithms=["HS256"], options={"require": ["exp"]}
        )
    except jwt.PyJWTError:
        raise Unauthorized("signin_expired") from None
    if (
        claims.get("type") != FLOW_TYPE
        or claims.get("p") != provider
        or not isinstance(state, str)
        or not hmac.compare_digest(str(claims.get("state")), state)
    ):
        raise Unauthorized("signin_expired")
    return Flow(provider, claims["state"], claims["nonce"], claims["v"])


def code_challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def authorization_url(endpoint: str, provider: OidcProvider, flow: Flow, redirect_uri: str) -> str:
    query = urlencode(
        {
            "response_type": "code",
            "client_id": provider.client_id,
            "redirect_uri": redirect_uri,
            "scope": " ".join(provider.scopes),
            "state": flow.state,
            "nonce": flow.nonce,
            "code_challenge": code_challenge(flow.verifier),
            "code_challenge_method": "S256",
        }
    )
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"


def verify_id_token(provider: OidcProvider, issuer: str, id_token, jwks: dict, nonce: str) -> dict:
    """The claims of an ID token signed by one of the provider's keys with a pinned
    algorithm, for our client, unexpired, from this flow; Unauthorized otherwise.
    UnknownKey when its key id is not in jwks (fetch the keys again and retry)."""
    failed = Unauthorized("oidc_failed", provider=provider.label)
    if not isinstance(id_token, str):
        raise failed
    try:
        header = jwt.get_unverified_header(id_token)
    except jwt.PyJWTError:
        raise failed from None
    # Security: the algorithm comes from our settings, never from the token ("none",
    # or HS256 keyed with a public key, would let anyone sign).
    if header.get("alg") not in provider.algorithms:
        raise failed
    key = _signing_key(jwks, header.get("kid"), header["alg"])
    try:
        claims = jwt.decode(
            id_token,
            key,
            algorithms=list(provider.algorithms),
            audience=provider.client_id,
            issuer=issuer,
            leeway=LEEWAY,
            options={"require": ["exp", "iat", "iss", "aud", "sub"]},
        )
    except jwt.PyJWTError:
        raise failed from None
    audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    if len(audiences) > 1 and claims.get("azp") != provider.client_id:
        raise failed
    if not hmac.compare_digest(str(claims.get("nonce", "")), nonce):
        raise failed  # a token minted for another sign-in (a replay)
    if not isinstance(claims["sub"], str) or not claims["sub"]:
        raise failed
    return claims


def _signing_key(jwks: dict, kid, alg: str):
    try:
        keys = [
            key for key in jwt.PyJWKSet.from_dict(jwks).keys if key.public_key_use in (None, "sig")
        ]
    except jwt.PyJWTError:
        keys = []
    if kid is not None:
        keys = [key for key in keys if key.key_id == kid]
    if len(keys) != 1:
        raise UnknownKey(kid)
    return keys[0].key


def profile(provider: OidcProvider, issuer: str, claims: dict) -> Profile:
    """Who the claims describe; the stable id is issuer + sub, never a name."""

    def text(name: str) -> str:
        value = claims.get(name) if name else None
        return value.strip() if isinstance(value, str) else ""

    username = text(provider.username_claim) or text("email") or claims["sub"]
    is_admin = None
    if provider.admin_claim:
        held = claims.get(provider.admin_claim)
        held = held if isinstance(held, list) else [held]
        is_admin = provider.admin_value in [str(item) for item in held if item is not None]
    return Profile(
        issuer,
        claims["sub"],
        username,
        text(provider.name_claim) or username,
        text(provider.email_claim) or None,
        is_admin,
    )


class Replays:
    """Ids (flow states, hand-off ids) already used, remembered until they expire, so
    a cookie or a callback URL replayed within its lifetime is refused."""

    def __init__(self):
        self._seen: dict[str, float] = {}

    def first_use(self, token_id: str, expires_at: float) -> bool:
        now = time.time()
        if len(self._seen) > 1000:
            self._seen = {key: exp for key, exp in self._seen.items() if exp > now}
        if token_id in self._seen:
            return False
        self._seen[token_id] = expires_at
        return True
