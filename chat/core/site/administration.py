"""Site administration: find people and rooms, promote and demote, deactivate and
reactivate, reset passwords. Site admins only; an admin cannot demote or deactivate
themselves, so a server never loses its last admin by a slip.

Deactivation ends a user's access at once: every credential (access token, cookie,
personal API token) is refused from the next request (authentication checks is_active),
their logins end (refresh tokens die), their personal API tokens are deleted (so a
reactivation does not bring back a token someone may have copied meanwhile), and their
open sockets close with 4001. A reset
password ends their logins and login sockets, as their own password change does.
"""

from __future__ import annotations

from chat.core import Core, Outcome
from chat.core.fields import check_int
from chat.core.people.accounts import check_password, hash_password
from chat.core.site import audit
from chat.db import api_tokens as token_sql
from chat.db import sessions as session_sql
from chat.db import site_lists
from chat.db import users as user_sql
from chat.errors import BadInput, Conflict, Forbidden, NotFound, Unauthorized
from chat.models import Account, Room, User


def check_site_admin(user: User) -> None:
    if not user.is_admin:
        raise Forbidden("admin_only")


def search_text(query) -> str:
    return query.strip()[:64] if isinstance(query, str) else ""


def page_params(limit, offset) -> tuple[int, int]:
    return (
        check_int("limit", limit, 1, 500, default=100),
        check_int("offset", offset, 0, 2**31, default=0),
    )


def check_kind(kind, kinds: dict) -> str:
    kind = kind or ""
    if kind not in kinds:
        raise BadInput("field_choice", field="kind", choices=", ".join(k for k in kinds if k))
    return kind


async def list_accounts(
    core: Core, admin: User, query="", limit=None, offset=None, kind=None
) -> tuple[list[Account], int]:
    """A page of accounts and how many match: people, bots (webhooks' accounts
    included) or both."""
    check_site_admin(admin)
    kind = check_kind(kind, site_lists.ACCOUNT_KINDS)
    return await site_lists.accounts(
        core.db.reader, search_text(query), kind, *page_params(limit, offset)
    )


async def list_all_rooms(
    core: Core, admin: User, query="", limit=None, offset=None, kind=None
) -> tuple[list[Room], int]:
    """A page of every active room, private and direct ones included (their messages
    stay unread), and how many match: rooms, direct conversations or both."""
    check_site_admin(admin)
    kind = check_kind(kind, site_lists.ROOM_KINDS)
    return await site_lists.rooms(
        core.db.reader, search_text(query), kind, *page_params(limit, offset)
    )


async def find_target(conn, admin: User, user_id) -> User:
    check_site_admin(admin)
    user = await user_sql.user_by_id(conn, check_int("user_id", user_id, 1, 2**62))
    if user is None:
        raise NotFound("user_not_found")
    return user


async def update_account(
    core: Core, admin: User, user_id, is_admin=None, is_active=None
) -> Account:
    for name, value in (("is_admin", is_admin), ("is_active", is_active)):
        if value is not None and not isinstance(value, bool):
            raise BadInput("field_type", field=name, kind="a boolean")

    async def job(conn):
        user = await find_target(conn, admin, user_id)
        if user.id == admin.id and (is_admin is False or is_active is False):
            raise BadInput("admin_self")
        if is_admin and user.is_guest:  # a site admin sees everything: convert first
            raise Conflict("guest_not_admin")
        await user_sql.set_standing(
            conn,
            user.id,
            user.is_admin if is_admin is None else is_admin,
            user.is_active if is_active is None else is_active,
        )
        # A deactivated user's logins stay, refused with their reason, so the page they
        # had open can say why it signed them out; reactivation ends them: nobody
        # comes back through a login made before. Their API tokens are revoked at once
        # (a copy made while the account was off must not work after a reactivation).
        if is_active is False and user.is_active:
            await token_sql.delete_user_tokens(conn, user.id)
        if is_active is True and not user.is_active:
            await session_sql.delete_user_sessions(conn, user.id)
        await audit_standing(conn, admin, user, is_admin, is_active)
        return Outcome(await user_sql.account_by_id(conn, user.id))

    account = await core.commit(job)
    if not account.user.is_active:
        core.hub.disconnect_user(account.user.id, Unauthorized.close_code)
    return account


async def audit_standing(conn, admin: User, user: User, is_admin, is_active) -> None:
    """One entry per change that changed something (setting what already is, is none)."""
    if is_admin is not None and is_admin != user.is_admin:
        await audit.record(
            conn, admin, "site_role_changed", user, role="admin" if is_admin else "member"
        )
    if is_active is not None and is_active != user.is_active:
        await audit.record(
            conn, admin, "user_reactivated" if is_active else "user_deactivated", user
        )


async def reset_password(core: Core, admin: User, user_id, password) -> Account:
    """A new password set by an admin; the user's refresh tokens stop working."""
    new_hash = await hash_password(check_password(password))

    async def job(conn):
        user = await find_target(conn, admin, user_id)
        await user_sql.update_password(conn, user.id, new_hash)
        await session_sql.delete_user_sessions(conn, user.id)
        await audit.record(conn, admin, "password_reset", user)
        return Outcome(await user_sql.account_by_id(conn, user.id))

    account = await core.commit(job)
    core.hub.disconnect_user(
        account.user.id,
        Unauthorized.close_code,
        only=lambda conn: conn.credential is None or conn.credential.kind != "api_token",
    )
    return account
