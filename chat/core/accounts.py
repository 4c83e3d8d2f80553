"""Accounts: registration, login, token refresh, profiles, and who a token names."""
from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import re
import secrets

from ..db import users
from ..errors import BadInput, Conflict, Forbidden, NotFound, Unauthorized
from ..models import Tokens, User
from . import Core, Outcome, tokens
from .fields import check_unicode

USERNAME = re.compile(r"[A-Za-z0-9_.\-]{1,32}")  # fullmatch: "$" would let a newline through
MIN_PASSWORD = 8
SCRYPT = {"n": 2**14, "r": 8, "p": 1}
# A real hash of a random password: login of an unknown user costs the same time.
_DUMMY_HASH: list[str] = []


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(password.encode(), salt=salt, n=n, r=r, p=p, dklen=32)


async def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = await asyncio.to_thread(_scrypt, password, salt, **SCRYPT)
    b64 = base64.b64encode
    return f"scrypt${SCRYPT['n']}${SCRYPT['r']}${SCRYPT['p']}${b64(salt).decode()}${b64(digest).decode()}"


async def verify_password(password: str, stored: str | None) -> bool:
    if not stored:
        stored = _DUMMY_HASH[0] if _DUMMY_HASH else await _dummy()
        password = password + "\x00never"
    try:
        _, n, r, p, salt, digest = stored.split("$")
        actual = await asyncio.to_thread(
            _scrypt, password, base64.b64decode(salt), int(n), int(r), int(p))
    except ValueError:
        return False
    return hmac.compare_digest(actual, base64.b64decode(digest))


async def _dummy() -> str:
    _DUMMY_HASH.append(await hash_password(secrets.token_hex(8)))
    return _DUMMY_HASH[0]


def check_username(username) -> str:
    if not isinstance(username, str) or not USERNAME.fullmatch(username):
        raise BadInput("username_invalid")
    return username


def check_password(password) -> str:
    if not isinstance(password, str) or len(password) < MIN_PASSWORD:
        raise BadInput("password_short")
    if not password.replace("\x00", "").strip():
        raise BadInput("password_blank")
    return check_unicode("password", password)


def issue_tokens(core: Core, user: User, version: int) -> Tokens:
    ttl = core.settings.access_token_ttl
    return Tokens(
        user=user,
        access_token=tokens.issue(core.secret, user, "access", ttl),
        refresh_token=tokens.issue(core.secret, user, "refresh",
                                   core.settings.refresh_token_ttl, version),
        expires_in=ttl,
    )


async def create_user(core: Core, username, password, display_name: str | None = None,
                      is_admin: bool | None = None) -> User:
    """Create an account; the first account of a server is a site admin."""
    username = check_username(username)
    password_hash = await hash_password(check_password(password))
    display = (display_name or "").strip()[:64] or username

    async def job(conn):
        if await users.user_by_username(conn, username):
            raise Conflict("username_taken")
        first = await users.count_users(conn) == 0
        admin = first if is_admin is None else (is_admin or first)
        return Outcome(await users.insert_user(conn, username, display, password_hash, admin))
    return await core.commit(job)


async def register(core: Core, username, password, display_name=None) -> Tokens:
    if not core.settings.allow_registration:
        raise Forbidden("registration_closed")
    if display_name is not None and not isinstance(display_name, str):
        raise BadInput("field_type", field="display_name", kind="string")
    user = await create_user(core, username, password, display_name)
    return issue_tokens(core, user, 0)


async def login(core: Core, username, password, address: str | None,
                user_agent: str | None) -> Tokens:
    if not isinstance(username, str) or not isinstance(password, str):
        raise Unauthorized("bad_credentials")
    with core.throttle.attempt(username, address):
        row = await users.credentials(core.db.reader, username)
        if not await verify_password(password, row["password_hash"] if row else None) or not row:
            core.throttle.fail(username, address)
            raise Unauthorized("bad_credentials")
        core.throttle.succeed(username)

    async def job(conn):
        await users.record_login(conn, row["id"], address, user_agent)
        return Outcome(await users.user_by_id(conn, row["id"]))
    user = await core.commit(job)
    core.hub.touch(user, address, user_agent)
    return issue_tokens(core, user, row["token_version"])


async def refresh(core: Core, refresh_token) -> Tokens:
    if not isinstance(refresh_token, str):
        raise Unauthorized("token_invalid")
    claims = tokens.decode(core.secret, refresh_token, "refresh")
    row = await users.credentials_by_id(core.db.reader, int(claims["sub"]))
    if row is None or claims.get("ver", 0) != row["token_version"]:
        raise Unauthorized("token_invalid")
    user = await users.user_by_id(core.db.reader, row["id"])
    return issue_tokens(core, user, row["token_version"])


async def authenticate(core: Core, token: str | None) -> User:
    """The user an access token names; an unknown subject is provisioned, so a
    system sharing our secret can embed Teahouse."""
    if not token:
        raise Unauthorized("auth_required")
    claims = tokens.decode(core.secret, token, "access")
    user = await users.user_by_id(core.db.reader, int(claims["sub"]))
    return user or await provision(core, int(claims["sub"]), claims.get("username"))


async def provision(core: Core, user_id: int, username) -> User:
    if not isinstance(username, str) or not USERNAME.fullmatch(username):
        username = f"user{user_id}"

    async def job(conn):
        if existing := await users.user_by_id(conn, user_id):
            return Outcome(existing)
        name = username
        if await users.user_by_username(conn, name):
            name = f"{username[:20]}_{user_id}"[:32]
        return Outcome(await users.insert_user(conn, name, name, None, False, user_id=user_id))
    return await core.commit(job)


async def update_me(core: Core, user: User, display_name=None, avatar_url=None,
                    password=None, old_password=None) -> User:
    for name, value in (("display_name", display_name), ("avatar_url", avatar_url)):
        if value is not None and not isinstance(value, str):
            raise BadInput("field_type", field=name, kind="string")
    if avatar_url and not re.match(r"^(https?://|/uploads/)", avatar_url):
        raise BadInput("field_type", field="avatar_url", kind="an http(s) URL")
    new_hash = None
    if password is not None:
        check_password(password)
        row = await users.credentials_by_id(core.db.reader, user.id)
        old = old_password if isinstance(old_password, str) else ""
        if row["password_hash"] and not await verify_password(old, row["password_hash"]):
            raise BadInput("old_password_wrong")
        new_hash = await hash_password(password)
    display = user.display_name if display_name is None else (display_name.strip()[:64] or user.username)
    avatar = user.avatar_url if avatar_url is None else (avatar_url or None)

    async def job(conn):
        await users.update_profile(conn, user.id, display, avatar)
        if new_hash:
            await users.update_password(conn, user.id, new_hash)
        return Outcome(await users.user_by_id(conn, user.id))
    return await core.commit(job)


async def token_for(core: Core, username: str) -> str:
    user = await users.user_by_username(core.db.reader, username)
    if user is None:
        raise NotFound("user_not_found")
    return tokens.issue(core.secret, user, "access", core.settings.access_token_ttl)


async def find_users(core: Core, query, limit: int = 20) -> list[User]:
    if not isinstance(query, str):
        query = ""
    return await users.search_users(core.db.reader, query.strip()[:64], limit)
