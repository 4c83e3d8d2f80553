"""What proves who someone is: the tokens of a sign-in, personal API tokens as their
owner sees them, and the credential a request or socket holds until it ends.
"""

from __future__ import annotations

from dataclasses import dataclass

from chat.models.people import User


@dataclass(frozen=True)
class Tokens:
    user: User
    access_token: str
    refresh_token: str
    expires_in: int
    session_secret: str | None = None  # the login's cookie value (sessions.start only)


@dataclass(frozen=True)
class ApiToken:
    """A personal API token as its owner sees it: never the secret, only a hint."""

    id: int
    name: str
    hint: str
    created_at: str
    expires_at: str | None
    last_used_at: str | None


@dataclass(frozen=True)
class Credential:
    """What authenticated a request or socket, and until when it holds.

    kind: "access" (a JWT), "cookie" (the web page's login session) or "api_token".
    A socket keeps its credential so that ending the login or revoking the token
    closes it, and expires_at (unix seconds, None: until revoked) ends it in time."""

    user: User
    kind: str
    expires_at: float | None
    session_id: int | None = None
    token_id: int | None = None
