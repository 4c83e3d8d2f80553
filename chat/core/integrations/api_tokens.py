"""Personal API tokens: long-lived, named, revocable credentials for scripts.

A token is "th_" and 40 random characters, shown once at creation; only its sha256
is stored (a secret of 238 bits needs no slow hash). It is accepted wherever an access
token is. Its last use is written at most once a minute per token, so a busy script
does not turn every read into a write. Revoking deletes the row and closes the
sockets the token opened.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from datetime import UTC, datetime

from chat.clock import iso_utc
from chat.core import Core, Outcome
from chat.core.people import guests
from chat.core.site import audit
from chat.db import api_tokens, users
from chat.errors import BadInput, Conflict, NotFound, Unauthorized
from chat.events import SocketsEnded
from chat.models import ApiToken, Credential, User

PREFIX = "th_"
SECRET_CHARS = 40
HINT_CHARS = 7  # "th_" and four characters: enough to tell tokens apart
MAX_NAME = 64
MAX_TOKENS = 50  # per user
MAX_DAYS = 3650
TOUCH_EVERY = 60.0  # seconds between last-used writes of one token
_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


def looks_like(token: str) -> bool:
    return token.startswith(PREFIX)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _model(row) -> ApiToken:
    expires = row["expires_at"]
    return ApiToken(
        id=row["id"],
        name=row["name"],
        hint=row["hint"],
        created_at=row["created_at"],
        expires_at=None if expires is None else iso_utc(datetime.fromtimestamp(expires, UTC)),
        last_used_at=row["last_used_at"],
    )


def check_name(name) -> str:
    if not isinstance(name, str) or not name.strip():
        raise BadInput("field_required", field="name")
    return name.strip()[:MAX_NAME]


def check_days(days) -> int | None:
    if days is None:
        return None
    if type(days) is not int or not 1 <= days <= MAX_DAYS:
        raise BadInput("field_type", field="expires_in_days", kind=f"a whole number 1–{MAX_DAYS}")
    return days


async def create(core: Core, user: User, name, days=None) -> tuple[ApiToken, str]:
    """A new token of user and its secret, which is never shown again."""
    guests.check_may_create(user)
    name, days = check_name(name), check_days(days)
    token = PREFIX + "".join(secrets.choice(_ALPHABET) for _ in range(SECRET_CHARS))
    expires_at = None if days is None else int(time.time()) + days * 86400

    async def job(conn):
        if await api_tokens.count_tokens(conn, user.id) >= MAX_TOKENS:
            raise Conflict("too_many_tokens", limit=MAX_TOKENS)
        row = await api_tokens.insert_token(
            conn, user.id, name, _hash(token), token[:HINT_CHARS], expires_at
        )
        await audit.record(
            conn, user, "api_token_created", ("api_token", row["id"], name), days=days
        )
        return Outcome(row)

    return _model(await core.commit(job)), token


async def list_for(core: Core, user: User) -> list[ApiToken]:
    return [_model(row) for row in await api_tokens.tokens_of(core.db.reader, user.id)]


async def revoke(core: Core, user: User, token_id) -> None:
    """Only the owner revokes a token (another user's id is simply not found)."""
    if type(token_id) is not int:
        raise NotFound("not_found")

    async def job(conn):
        row = await api_tokens.token_of(conn, user.id, token_id)
        if row is None:
            raise NotFound("not_found")
        await api_tokens.delete_token(conn, user.id, token_id)
        await audit.record(conn, user, "api_token_revoked", ("api_token", token_id, row["name"]))
        return Outcome(None, [SocketsEnded(None, user.id, token_id=token_id)])

    await core.commit(job)


async def identify(core: Core, token: str) -> Credential:
    row = await api_tokens.token_by_secret(core.db.reader, _hash(token))
    if row is None or (row["expires_at"] is not None and row["expires_at"] <= time.time()):
        raise Unauthorized("token_invalid")
    user = await users.user_by_id(core.db.reader, row["user_id"])
    if user is None:
        raise Unauthorized("token_invalid")
    await _touch(core, user, row)
    expires = row["expires_at"]
    return Credential(
        user, "api_token", None if expires is None else float(expires), token_id=row["id"]
    )


async def _touch(core: Core, user: User, row) -> None:
    """Notes when a token was last used (at most every TOUCH_EVERY); its first use is
    audited, in the same write."""
    last_used_at = row["last_used_at"]
    if last_used_at and (
        time.time() - datetime.fromisoformat(last_used_at).timestamp() < TOUCH_EVERY
    ):
        return

    async def job(conn):
        if await api_tokens.touch_token(conn, row["id"]):
            await audit.record(
                conn, user, "api_token_first_use", ("api_token", row["id"], row["name"])
            )
        return Outcome(None)

    await core.commit(job)
