"""Linking rules: which Teahouse user a directory or OpenID Connect account is.

An external account maps to exactly one user by the provider's stable id (LDAP
entryUUID/objectGUID, OIDC issuer + sub), never by a name. Its first sign-in creates
the user; a local account that happens to have the same username is never taken
over: an admin links them first (link()), or the sign-in is refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from chat.core import Core, Outcome
from chat.core.fields import clean_display_name
from chat.core.site import audit
from chat.db import identities, users
from chat.db import sessions as db_sessions
from chat.db.identities import Linked
from chat.errors import BadInput, Conflict, Forbidden, NotFound, Unauthorized
from chat.events import SocketsEnded
from chat.models import User

NAME_UNSAFE = re.compile(r"[^A-Za-z0-9_.\-]")
RECHECK_CHUNK = 500  # re-check changes per transaction: a mass rename holds the writer briefly


@dataclass(frozen=True)
class Profile:
    """A person as a provider vouches for them, after it checked their credentials."""

    provider: str  # "ldap", or the OIDC issuer
    subject: str  # the provider's stable id for them
    username: str  # their name at the provider
    display_name: str
    email: str | None
    is_admin: bool | None  # None: the provider does not manage the admin flag


def teahouse_username(name: str) -> str:
    """The provider's name made a valid Teahouse username ("Jane Doe" -> "Jane_Doe")."""
    local = name.split("@")[0] if "@" in name else name
    return NAME_UNSAFE.sub("_", local.strip())[:32].strip("._-") or "user"


async def user_in(conn, profile: Profile) -> User:
    """Inside a sign-in's write: the user this profile names, created on first sign-in,
    with name and admin flag brought up to date; Forbidden if a local account already
    has its username."""
    identity = await identities.by_subject(conn, profile.provider, profile.subject)
    if identity is None:
        identity = await identities.pending_link_by_name(conn, profile.provider, profile.username)
    if identity is None:
        return await _create(conn, profile)
    await identities.record_sign_in(
        conn, identity.id, profile.subject, profile.username, profile.email
    )
    return await _update(conn, identity.user_id, profile)


async def _create(conn, profile: Profile) -> User:
    name = teahouse_username(profile.username)
    if await users.user_by_username(conn, name):
        raise Forbidden("identity_name_taken", username=name)
    first = await users.count_users(conn) == 0
    display = clean_display_name(profile.display_name, name)
    user = await users.insert_user(conn, name, display, None, bool(profile.is_admin) or first)
    await identities.insert(
        conn, user.id, profile.provider, profile.subject, profile.username, profile.email
    )
    return user


async def _update(conn, user_id: int, profile: Profile) -> User:
    user = await users.user_by_id(conn, user_id)
    display = clean_display_name(profile.display_name, user.display_name)
    if display != user.display_name:
        await users.update_profile(conn, user.id, display, user.avatar_url)
    if profile.is_admin is not None and profile.is_admin != user.is_admin:
        await users.set_admin(conn, user.id, profile.is_admin)
        await audit.record(
            conn,
            None,
            "site_role_changed",
            user,
            source="directory",
            role="admin" if profile.is_admin else "member",
        )
    return await users.user_by_id(conn, user_id)


async def link(core: Core, admin: User | None, username, provider, external_name) -> None:
    """An admin (None: the operator, from the command line) lets the external account
    external_name at provider sign in as the existing user username; the link takes
    the provider's stable id at that account's first sign-in."""
    if admin is not None and not admin.is_admin:
        raise Forbidden("admin_only")
    for field, value in (("username", username), ("external_name", external_name)):
        if not isinstance(value, str) or not value.strip() or len(value) > 256:
            raise BadInput("field_type", field=field, kind="a name")
    key = provider_key(core, provider)

    async def job(conn):
        user = await users.user_by_username(conn, username)
        if user is None:
            raise NotFound("user_not_found")
        if any(item.provider == key for item in await identities.of_user(conn, user.id)):
            raise Conflict("identity_linked")
        await identities.insert(
            conn,
            user.id,
            key,
            None,
            external_name.strip(),
            None,
            linked_by=admin.id if admin else None,
        )
        return Outcome(None)

    await core.commit(job)


def provider_key(core: Core, name) -> str:
    """What identities are stored under for a configured provider name."""
    if name == "ldap" and core.settings.ldap:
        return "ldap"
    for provider in core.settings.oidc_providers:
        if provider.name == name:
            return provider.issuer
    raise NotFound("provider_unknown", name=str(name)[:64])


async def check_enabled(core: Core, user_id: int) -> None:
    if await identities.is_disabled(core.db.reader, user_id):
        raise Unauthorized("account_disabled")


async def is_external(core: Core, user_id: int) -> bool:
    return bool(await identities.of_user(core.db.reader, user_id))


async def recheck(core: Core, linked: list[Linked], current: dict[str, Profile]) -> int:
    """Apply what a provider says now to its enabled linked users (current: stable id
    -> Profile, for those it still has and allows). The others are disabled: their
    logins and tokens end and their sockets close. The rest get what a sign-in would
    give them (name, address, display name, admin flag): a rename renames, never
    disables. Returns how many were disabled."""
    gone = [(person, None) for person in linked if person.subject not in current]
    changed = [
        (person, current[person.subject])
        for person in linked
        if person.subject in current and _differs(person, current[person.subject])
    ]
    work = gone + changed
    for start in range(0, len(work), RECHECK_CHUNK):
        chunk = work[start : start + RECHECK_CHUNK]
        await core.commit(lambda conn, chunk=chunk: _apply(conn, chunk))
    return len(gone)


def _differs(person: Linked, profile: Profile) -> bool:
    return (
        profile.username or person.external_name,
        profile.email,
        clean_display_name(profile.display_name, person.display_name),
    ) != (person.external_name, person.email, person.display_name) or profile.is_admin not in (
        None,
        person.is_admin,
    )


async def _apply(conn, work: list[tuple[Linked, Profile | None]]) -> Outcome:
    ended = []
    for person, profile in work:
        if profile is None:
            await identities.set_disabled(conn, person.id, True)
            await audit.record(
                conn,
                None,
                "directory_disabled",
                await users.user_by_id(conn, person.user_id),
                subject=person.subject,
            )
            await users.end_sessions(conn, person.user_id)  # access tokens, even ours of old
            await db_sessions.delete_user_sessions(conn, person.user_id)  # logins and cookies
            ended.append(SocketsEnded(None, person.user_id))
        else:
            await identities.rename(
                conn, person.id, profile.username or person.external_name, profile.email
            )
            await _update(conn, person.user_id, profile)
    return Outcome(None, ended)
