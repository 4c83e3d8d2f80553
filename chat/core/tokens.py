"""JWT access and refresh tokens: HS256 pinned, exp required, type checked."""
from __future__ import annotations

import time

import jwt

from ..errors import Unauthorized
from ..models import User

ALGORITHM = "HS256"


def issue(secret: str, user: User, kind: str, ttl: int, version: int = 0) -> str:
    now = int(time.time())
    claims = {"sub": str(user.id), "username": user.username, "type": kind,
              "iat": now, "exp": now + ttl}
    if kind == "refresh":
        claims["ver"] = version
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def decode(secret: str, token: str, kind: str) -> dict:
    """The claims of a valid token of this kind; Unauthorized for anything else."""
    try:
        claims = jwt.decode(token, secret, algorithms=[ALGORITHM],
                            options={"require": ["exp", "sub"]})
    except jwt.PyJWTError:
        raise Unauthorized("token_invalid") from None
    if claims.get("type") != kind or not str(claims.get("sub", "")).isdigit():
        raise Unauthorized("token_invalid")
    return claims
