"""JWT access and refresh tokens: HS256 pinned, exp required, type checked.

An access token names its user's token version (bumped by a password change) and, when
it came from a login, that login (sid). A refresh token names its login and the
generation it may refresh: each refresh moves the login to the next generation."""

from __future__ import annotations

import functools
import re
import time

import jwt
from jwt.algorithms import HMACAlgorithm

from chat.errors import Unauthorized
from chat.models import User

ALGORITHM = "HS256"


class CheckedOnce(HMACAlgorithm):
    """HS256 whose key checks run once per secret: PyJWT looks at the secret for PEM,
    SSH, DER and JWK shapes on every encode and decode (~0.15 ms, more than the HMAC
    itself), which 10,000 sockets signing in at once would pay 10,000 times."""

    def __init__(self) -> None:
        super().__init__(HMACAlgorithm.SHA256)
        self.prepare_key = functools.lru_cache(maxsize=8)(super().prepare_key)


# PyJWT (pinned) registers algorithms on its signer, which only this attribute reaches.
CODEC = jwt.PyJWT()
CODEC._jws.unregister_algorithm(ALGORITHM)
CODEC._jws.register_algorithm(ALGORITHM, CheckedOnce())
# A user id SQLite can hold: 1..10**18-1, ASCII digits only (str.isdigit accepts "²").
SUBJECT = re.compile(r"[1-9][0-9]{0,17}")


def issue(
    secret: str,
    user: User,
    kind: str,
    ttl: int,
    version: int = 0,
    session_id: int | None = None,
    generation: int | None = None,
) -> str:
    now = int(time.time())
    claims = {
        "sub": str(user.id),
        "username": user.username,
        "type": kind,
        "iat": now,
        "exp": now + ttl,
        "ver": version,
    }
    if session_id is not None:
        claims["sid"] = session_id
    if generation is not None:
        claims["gen"] = generation
    return CODEC.encode(claims, secret, algorithm=ALGORITHM)


def decode(secret: str, token: str, kind: str) -> dict:
    """The claims of a valid token of this kind; Unauthorized for anything else."""
    try:
        claims = CODEC.decode(
            token, secret, algorithms=[ALGORITHM], options={"require": ["exp", "sub"]}
        )
    except jwt.PyJWTError:
        raise Unauthorized("token_invalid") from None
    if claims.get("type") != kind or not SUBJECT.fullmatch(str(claims.get("sub", ""))):
        raise Unauthorized("token_invalid")
    for name in ("ver", "sid", "gen"):
        value = claims.get(name)
        if value is not None and (type(value) is not int or not 0 <= value < 2**62):
            raise Unauthorized("token_invalid")
    return claims
