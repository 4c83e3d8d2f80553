"""Login sessions: one per sign-in, the family of its refresh tokens and its cookie.

A login starts with a random cookie secret (stored as its sha256) and refresh
generation 0. Refreshing with a refresh token moves it to the next generation and
slides its expiry; presenting an older generation again means the refresh token was
copied, so the whole login ends (token family revocation). The web page's cookie
refresh only slides the expiry. Ending a login deletes its row, which
stops its cookie, refresh token and access tokens at once and closes its sockets.
"""

from __future__ import annotations

import hashlib
import secrets
import sqlite3
import time

from chat.core import Core, Outcome
from chat.core.people import tokens
from chat.core.site import audit
from chat.db import sessions, users
from chat.errors import Unauthorized
from chat.events import SocketsEnded
from chat.models import Credential, Tokens, User

SECRET_BYTES = 32
MAX_SECRET = 128  # a cookie longer than any we issue is not looked up
NOTE_EVERY = 3600.0  # seconds between two "last sign-in" writes for a cookie's use
MAX_NOTED = 10_000


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _tokens(
    core: Core,
    user: User,
    version: int,
    session_id: int,
    generation: int,
    secret: str | None = None,
) -> Tokens:
    ttl = core.settings.access_token_ttl
    return Tokens(
        user=user,
        access_token=tokens.issue(core.secret, user, "access", ttl, version, session_id),
        refresh_token=tokens.issue(
            core.secret,
            user,
            "refresh",
            core.settings.refresh_token_ttl,
            version,
            session_id,
            generation,
        ),
        expires_in=ttl,
        session_secret=secret,
    )


async def start(core: Core, user: User, version: int) -> Tokens:
    """A new login of user: tokens of generation 0 and the cookie secret."""

    async def job(conn):
        return Outcome(await open_in(core, conn, user.id))

    return opened(core, user, version, *await core.commit(job))


async def open_in(core: Core, conn, user_id: int) -> tuple[int, str]:
    """A new login inside the caller's write transaction: (login id, cookie secret).
    A sign-in that also creates its user does both in one write (first contact)."""
    secret = secrets.token_urlsafe(SECRET_BYTES)
    now = int(time.time())
    await sessions.delete_expired(conn, user_id, now)
    await users.record_sign_in_time(conn, user_id)  # a registration signs in too
    session_id = await sessions.insert_session(
        conn, user_id, hash_secret(secret), now + core.settings.refresh_token_ttl
    )
    return session_id, secret


def opened(core: Core, user: User, version: int, session_id: int, secret: str) -> Tokens:
    """The tokens of a login open_in started (generation 0)."""
    return _tokens(core, user, version, session_id, 0, secret)


async def refresh(core: Core, claims: dict) -> Tokens:
    """New tokens for the login a refresh token names; a replayed one ends the login."""
    session_id, generation = claims.get("sid"), claims.get("gen")
    if session_id is None or generation is None:
        raise Unauthorized("token_invalid")  # issued before logins were recorded
    row = await sessions.session_by_id(core.db.reader, session_id)
    if row is None or row["user_id"] != int(claims["sub"]) or row["expires_at"] <= time.time():
        raise Unauthorized("token_invalid")
    return await _advance(core, row, generation)


async def refresh_cookie(core: Core, secret: str) -> Tokens:
    """The web page's refresh: its cookie slides the login forward. The cookie is not
    rotated, so several tabs refreshing at once are no replay."""
    row = await _by_secret(core, secret)
    expires_at = int(time.time()) + core.settings.refresh_token_ttl

    async def job(conn):
        found = await users.user_for_token(conn, row["user_id"], None)
        check_active(found)
        await sessions.slide(conn, row["id"], expires_at)
        await users.record_sign_in_time(conn, row["user_id"])
        return Outcome(found)

    found = await core.commit(job)
    return _tokens(
        core, users.row_to_user(found), found["token_version"], row["id"], row["generation"], secret
    )


async def _advance(core: Core, row: sqlite3.Row, generation: int) -> Tokens:
    expires_at = int(time.time()) + core.settings.refresh_token_ttl

    async def job(conn):
        if not await sessions.advance(conn, row["id"], generation, expires_at):
            await sessions.delete_session(conn, row["id"])
            owner = await users.user_by_id(conn, row["user_id"])
            await audit.record(
                conn,
                None,
                "session_revoked",
                owner,
                session_id=row["id"],
                reason="refresh_token_replayed",
            )
            return Outcome(None, [SocketsEnded(None, row["user_id"], session_id=row["id"])])
        found = await users.user_for_token(conn, row["user_id"], None)
        check_active(found)
        await users.record_sign_in_time(conn, row["user_id"])
        return Outcome(found)

    found = await core.commit(job)
    if found is None:
        raise Unauthorized("token_invalid")
    user = users.row_to_user(found)
    return _tokens(core, user, found["token_version"], row["id"], generation + 1)


def check_active(row: sqlite3.Row | None) -> None:
    """A deactivated user's login is refused with its reason (their page says it)."""
    if row is not None and not row["is_active"]:
        raise Unauthorized("account_deactivated")


async def _by_secret(core: Core, secret) -> sqlite3.Row:
    if not isinstance(secret, str) or not secret or len(secret) > MAX_SECRET:
        raise Unauthorized("auth_required")
    row = await sessions.session_by_secret(core.db.reader, hash_secret(secret))
    if row is None or row["expires_at"] <= time.time():
        raise Unauthorized("token_invalid")
    return row


async def note_use(core: Core, credential: Credential) -> None:
    """A login cookie or an access token minted elsewhere (no login of ours behind it)
    in use is someone signed in, though no sign-in of ours saw them: the admin list's
    "Last sign-in" follows it, written at most once per NOTE_EVERY per user."""
    if credential.kind != "cookie" and not (
        credential.kind == "access" and credential.session_id is None
    ):
        return
    user_id = credential.user.id
    if time.monotonic() - core.people.sign_ins_noted.get(user_id, -NOTE_EVERY) < NOTE_EVERY:
        return
    noted_sign_in(core, user_id)

    async def job(conn):
        await users.record_sign_in_time(conn, user_id)
        return Outcome(None)

    await core.commit(job)


def noted_sign_in(core: Core, user_id: int) -> None:
    """The user's last sign-in was just written: no note_use write for NOTE_EVERY."""
    noted = core.people.sign_ins_noted
    if len(noted) >= MAX_NOTED:
        noted.clear()
    noted[user_id] = time.monotonic()


async def identify(core: Core, secret) -> Credential:
    """The credential of a session cookie: valid until the login expires or ends."""
    row = await _by_secret(core, secret)
    user = await users.user_by_id(core.db.reader, row["user_id"])
    if user is None:
        raise Unauthorized("token_invalid")
    return Credential(user, "cookie", float(row["expires_at"]), session_id=row["id"])


async def expiry(core: Core, credential: Credential) -> float | None:
    """When a cookie credential ends now (refreshes slide it); None if it has ended."""
    row = await sessions.session_by_id(core.db.reader, credential.session_id)
    if row is None or row["expires_at"] <= time.time():
        return None
    return float(row["expires_at"])


async def end(core: Core, user: User, session_id: int) -> None:
    """Sign out: the login's tokens and cookie stop working; its sockets close 4001."""

    async def job(conn):
        await sessions.delete_session(conn, session_id)
        await audit.record(conn, user, "sign_out", user, session_id=session_id)
        return Outcome(None, [SocketsEnded(None, user.id, session_id=session_id)])

    await core.commit(job)
