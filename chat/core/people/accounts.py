"""Accounts: registration, login, token refresh, profiles, and who a credential names."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import re
import secrets

from chat.core import Core, Outcome
from chat.core.conversation import rooms
from chat.core.fields import USERNAME, check_unicode, check_username, clean_display_name
from chat.core.files.file_access import check_avatar_upload
from chat.core.integrations import api_tokens, bots
from chat.core.people import guests, identities, sessions, tokens
from chat.core.people.identities import Profile
from chat.core.site import audit
from chat.db import sessions as db_sessions
from chat.db import statuses as status_sql
from chat.db import users
from chat.errors import BadInput, Conflict, Forbidden, NotFound, Unauthorized, Unavailable
from chat.events import ProfileChanged, SocketsEnded
from chat.models import Credential, Tokens, User

MIN_PASSWORD = 8
MAX_LOGIN_NAME = 254  # room for directory logins (e-mail addresses); longer is refused unread
MAX_TOKEN = 4096  # no credential of ours is longer
SCRYPT = {"n": 2**14, "r": 8, "p": 1}
# A real hash of a random password: login of an unknown user costs the same time.
_DUMMY_HASH: list[str] = []


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(password.encode(), salt=salt, n=n, r=r, p=p, dklen=32)


async def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = await asyncio.to_thread(_scrypt, password, salt, **SCRYPT)
    b64 = base64.b64encode
    cost = f"{SCRYPT['n']}${SCRYPT['r']}${SCRYPT['p']}"
    return f"scrypt${cost}${b64(salt).decode()}${b64(digest).decode()}"


async def verify_password(password: str, stored: str | None) -> bool:
    if not stored:
        stored = _DUMMY_HASH[0] if _DUMMY_HASH else await _dummy()
        password = password + "\x00never"
    try:
        _, n, r, p, salt, digest = stored.split("$")
        actual = await asyncio.to_thread(
            _scrypt, password, base64.b64decode(salt), int(n), int(r), int(p)
        )
    except ValueError:
        return False
    return hmac.compare_digest(actual, base64.b64decode(digest))


async def _dummy() -> str:
    _DUMMY_HASH.append(await hash_password(secrets.token_hex(8)))
    return _DUMMY_HASH[0]


def check_password(password) -> str:
    if not isinstance(password, str) or len(password) < MIN_PASSWORD:
        raise BadInput("password_short")
    if not password.replace("\x00", "").strip():
        raise BadInput("password_blank")
    return check_unicode("password", password)


async def create_user(
    core: Core, username, password, display_name: str | None = None, is_admin: bool | None = None
) -> User:
    """Create an account; the first account of a server is a site admin."""
    username, password_hash, display = await account_fields(username, password, display_name)

    async def job(conn):
        return Outcome(await new_account_in(conn, username, display, password_hash, is_admin))

    return await core.commit(job)


async def account_fields(username, password, display_name) -> tuple[str, str, str]:
    """A new account's checked username, password hash and display name: the scrypt
    runs in a thread before the write, never inside it."""
    username = check_username(username)
    password_hash = await hash_password(check_password(password))
    return username, password_hash, clean_display_name(display_name or "", username)


async def new_account_in(
    conn, username: str, display: str, password_hash: str, is_admin: bool | None
) -> User:
    """Inside a write: the account row (username taken: Conflict)."""
    if await users.user_by_username(conn, username):
        raise Conflict("username_taken")
    first = await users.count_users(conn) == 0
    admin = first if is_admin is None else (is_admin or first)
    return await users.insert_user(conn, username, display, password_hash, admin)


async def register(core: Core, username, password, display_name=None) -> Tokens:
    """A new account and its first login in one write (first contact: sign-ups arriving
    at once share commits)."""
    if not core.settings.allow_registration or not core.settings.local_login:
        raise Forbidden("registration_closed")
    # Before the password is hashed: refused sign-ups cost no CPU.
    await core.limits.check_address("register_address", "too_many_registrations")
    await core.limits.check("site", "register_site", "too_many_registrations")
    if display_name is not None and not isinstance(display_name, str):
        raise BadInput("field_type", field="display_name", kind="string")
    username, password_hash, display = await account_fields(username, password, display_name)

    async def job(conn):
        user = await new_account_in(conn, username, display, password_hash, None)
        return Outcome((user, *await sessions.open_in(core, conn, user.id)))

    user, session_id, secret = await core.commit(job)
    return sessions.opened(core, user, 0, session_id, secret)


async def login(
    core: Core, username, password, address: str | None, user_agent: str | None
) -> Tokens:
    """Check the password (throttled) and start a login. Other sign-in backends
    (directory) slot in here: they too end in sign_in, one write."""
    if not isinstance(username, str) or not isinstance(password, str):
        raise Unauthorized("bad_credentials")
    if len(username) > MAX_LOGIN_NAME:  # before the throttle keeps it as a key
        raise Unauthorized("bad_credentials")
    attempt = await core.throttle.begin(username, address)
    await attempt.wait()
    try:
        who, method = await check_credentials(core, username, password)
    except Unavailable:
        await attempt.abandoned()  # the directory is down: nobody guessed wrong
        raise
    except Unauthorized as refused:  # a directory disabled the account
        sign_in_refused(core, username, "ldap", refused.key)
        raise
    if who is None:
        reason = (
            "local_login_off"
            if not core.settings.local_login and not core.people.directory
            else "bad_credentials"
        )
        sign_in_refused(core, username, method, reason)
        raise Unauthorized(reason)
    await attempt.succeeded()
    return await sign_in(core, who, address, user_agent, method)


async def check_credentials(
    core: Core, username: str, password: str
) -> tuple[int | Profile | None, str]:
    """Who these credentials name (a user id, or the directory's profile of them, whose
    user sign_in finds or creates) and how they were checked: a local password first
    (so local accounts work while the directory is down), then the directory if one is
    configured."""
    if core.settings.local_login:
        row = await users.credentials(core.db.reader, username)
        if await verify_password(password, row["password_hash"] if row else None) and row:
            await identities.check_enabled(core, row["id"])
            return row["id"], "password"
    if core.people.directory:
        profile = await core.people.directory.check_password(username, password)
        if profile:
            return profile, "ldap"
    return None, "ldap" if core.people.directory else "password"


async def sign_in(
    core: Core, who: int | Profile, address: str | None, user_agent: str | None, method: str
) -> Tokens:
    """Tokens for a user whose credentials were checked: every way of signing in
    (password, directory, OpenID Connect) ends here, and is audited here. `who` is a
    user id, or a provider's profile: its user is found or created (first contact) in
    the same single write as the login. A deactivated account is refused."""

    async def job(conn):
        found = await (
            identities.user_in(conn, who)
            if isinstance(who, Profile)
            else users.user_by_id(conn, who)
        )
        if not found.is_active:  # refused, and audited in this same write
            await audit.record(
                conn, found, "sign_in_failed", found, method=method, reason="account_deactivated"
            )
            return Outcome(None)
        guests.check_not_expired(found)
        await users.record_login(conn, found.id, address, user_agent)
        await audit.record(conn, found, "sign_in", found, method=method)
        session_id, secret = await sessions.open_in(core, conn, found.id)
        version = (await users.credentials_by_id(conn, found.id))["token_version"]
        return Outcome((await users.user_by_id(conn, found.id), version, session_id, secret))

    opened = await core.commit(job)
    if opened is None:
        raise Unauthorized("account_deactivated")
    core.hub.touch(opened[0], address, user_agent)
    return sessions.opened(core, *opened)


def sign_in_refused(core: Core, who: str | None, method: str, reason: str) -> None:
    """Audits a refused sign-in (wrong credentials, a directory's refusal, an OpenID
    Connect answer that did not verify) without making the refused client wait."""
    audit.record_soon(core, who, "sign_in_failed", method=method, reason=reason)


async def refresh(core: Core, refresh_token) -> Tokens:
    if not isinstance(refresh_token, str) or len(refresh_token) > MAX_TOKEN:
        raise Unauthorized("token_invalid")
    return await sessions.refresh(core, tokens.decode(core.secret, refresh_token, "refresh"))


async def authenticate(core: Core, token: str | None) -> User:
    return (await identify(core, token)).user


async def identify(core: Core, token: str | None, cookie: str | None = None) -> Credential:
    """Who a request or socket is, told by the shape of what it carries: a personal API
    token ("th_…"), else a JWT access token; with no token, the login's cookie.
    Every credential is checked against the database on every call, so a password
    change, sign-out or revocation takes effect at once."""
    credential = await _credential(core, token, cookie)
    if not credential.user.is_active:
        raise Unauthorized("account_deactivated")  # by a site admin: at once
    guests.check_not_expired(credential.user)
    await sessions.note_use(core, credential)
    return credential


async def _credential(core: Core, token: str | None, cookie: str | None) -> Credential:
    if token:
        if len(token) > MAX_TOKEN:
            raise Unauthorized("token_invalid")
        if api_tokens.looks_like(token):
            credential = await api_tokens.identify(core, token)
            # Logins of a user the directory disabled ended; their API tokens wait here.
            await identities.check_enabled(core, credential.user.id)
            return credential
        if bots.is_bot_key(token):  # "{id}-{token}", a Campfire-style bot key: no dots
            return Credential(await bots.authenticate(core, token), "bot_key", None)
        return await _access(core, tokens.decode(core.secret, token, "access"))
    if cookie:
        return await sessions.identify(core, cookie)
    raise Unauthorized("auth_required")


async def _access(core: Core, claims: dict) -> Credential:
    """An access token holds while its user's token version (bumped by a password
    change) is the one it names, and its login (if it names one) is not over. An
    unknown subject is provisioned, so a system sharing our secret can embed Teahouse."""
    user_id, session_id = int(claims["sub"]), claims.get("sid")
    row = await users.user_for_token(core.db.lookups, user_id, session_id)
    if row is None:
        user = await provision(core, user_id, claims.get("username"))
    elif not row["is_active"]:
        raise Unauthorized("account_deactivated")
    elif claims.get("ver", 0) != row["token_version"] or (
        session_id is not None and not row["session_alive"]
    ):
        raise Unauthorized("token_invalid")
    else:
        user = users.row_to_user(row)
    return Credential(user, "access", float(claims["exp"]), session_id=session_id)


async def provision(core: Core, user_id: int, username) -> User:
    """The user an external token names, created at their first request together with
    their join to `global` in one write (rollout day: thousands at once, batched by the
    group commit); a registration or directory sign-in joins rooms only when asked."""
    if not isinstance(username, str) or not USERNAME.fullmatch(username):
        username = f"user{user_id}"

    async def job(conn):
        if existing := await users.user_by_id(conn, user_id):
            return Outcome(existing)
        name = username
        if await users.user_by_username(conn, name):
            name = f"{username[:20]}_{user_id}"[:32]
        user = await users.insert_user(conn, name, name, None, False, user_id=user_id)
        await users.record_sign_in_time(conn, user.id)  # their first sign-in, in this write
        return Outcome(user, await rooms.welcome_in(core, conn, user))

    user = await core.commit(job)
    sessions.noted_sign_in(core, user.id)
    return user


async def update_me(
    core: Core,
    user: User,
    display_name=None,
    avatar_url=None,
    password=None,
    old_password=None,
    address: str | None = None,
) -> User:
    """A new password ends every login and access token of the user at once and closes
    their sockets (4001); personal API tokens stay (they are revoked one by one)."""
    if user.is_bot and password is not None:
        # A bot signs in only with its key: a password would outlive a revoked key.
        raise Forbidden("bot_no_password")
    for name, value in (("display_name", display_name), ("avatar_url", avatar_url)):
        if value is not None and not isinstance(value, str):
            raise BadInput("field_type", field=name, kind="string")
    if avatar_url and not re.match(r"^(https?://|/uploads/)", avatar_url):
        raise BadInput("field_type", field="avatar_url", kind="an http(s) URL")
    new_hash = None
    if password is not None:
        check_password(password)
        if not core.settings.local_login or await identities.is_external(core, user.id):
            raise Forbidden("password_external")
        await check_own_password(core, user, old_password, address)
        new_hash = await hash_password(password)
    display = (
        user.display_name
        if display_name is None
        else clean_display_name(display_name, user.username)
    )
    avatar = user.avatar_url if avatar_url is None else (avatar_url or None)

    async def job(conn):
        if avatar and avatar.startswith("/uploads/") and avatar != user.avatar_url:
            await check_avatar_upload(conn, avatar)
        await users.update_profile(conn, user.id, display, avatar)
        changed = await users.user_by_id(conn, user.id)
        events = []
        if (display, avatar) != (user.display_name, user.avatar_url):
            events.append(await profile_changed(conn, changed))
        if not new_hash:
            return Outcome(changed, events)
        await users.update_password(conn, user.id, new_hash)
        await db_sessions.delete_user_sessions(conn, user.id)
        await audit.record(conn, user, "password_changed", user)
        return Outcome(changed, events + [SocketsEnded(None, user.id, keep_api_tokens=True)])

    return await core.commit(job)


async def profile_changed(conn, user: User) -> ProfileChanged:
    """Told to everyone who may have the user's name or picture on screen."""
    return ProfileChanged(None, user, frozenset(await status_sql.neighbour_ids(conn, user.id)))


async def check_own_password(core: Core, user: User, password, address: str | None) -> None:
    """The caller proves they know the current password (an account without one has
    nothing to prove). Counted in the login throttle like a login from this address: a
    stolen token must not become a way to guess the password unthrottled."""
    row = await users.credentials_by_id(core.db.reader, user.id)
    if not row["password_hash"]:
        return
    attempt = await core.throttle.begin(user.username, address)
    await attempt.wait()
    if not await verify_password(
        password if isinstance(password, str) else "", row["password_hash"]
    ):
        raise BadInput("old_password_wrong")
    await attempt.succeeded()


async def start_login(core: Core, user: User) -> Tokens:
    """A new login of an already authenticated user (after a password change)."""
    row = await users.credentials_by_id(core.db.reader, user.id)
    return await sessions.start(core, user, row["token_version"])


async def token_for(
    core: Core, username: str, days: int | None = None, name: str = "command line"
) -> str:
    """A personal API token for scripts (server.py token NAME [--days N])."""
    user = await users.user_by_username(core.db.reader, username)
    if user is None:
        raise NotFound("user_not_found")
    _, token = await api_tokens.create(core, user, name, days)
    return token


async def find_users(core: Core, viewer: User, query, limit: int = 20) -> list[User]:
    """People to invite or message; a guest finds only the people of their rooms."""
    if not isinstance(query, str):
        query = ""
    return await users.search_users(
        core.db.reader, query.strip()[:64], limit, guests.fellows_only(viewer)
    )
