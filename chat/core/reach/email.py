"""Email for what people missed: each user's address, mode and language, the signed
unsubscribe, and what one email is to say (docs/email.md).

Who is told is away.py's rule, the one push uses, with the email delay: unread for
CHAT_EMAIL_DELAY_SECONDS and no tab open anywhere for as long. Sending lives in
chat/web/mailer.py; what is due comes from the database, never from memory.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass

from chat.clock import ago, iso_utc
from chat.core import Core, Outcome
from chat.core.fields import check_int, check_text
from chat.core.reach import away, notifications
from chat.db import email as email_sql
from chat.db import users as user_sql
from chat.errors import BadInput, Forbidden
from chat.models import Notification, User
from chat.settings import LANGUAGES

MODES = ("never", "batched", "direct")  # direct: batched, and direct messages at once
ADDRESS = re.compile(r"[^@\s<>,;\"]+@[^@\s<>,;\"]+\.[^@\s<>,;\"]+")
LOOKBACK_SECONDS = 24 * 3600  # older news is not worth an email (docs/decisions.md)


@dataclass(frozen=True)
class Preferences:
    address: str | None
    mode: str
    language: str | None
    available: bool  # the server has an SMTP server to send through


@dataclass(frozen=True)
class Digest:
    """One email's worth: what it lists, and the mark it moves to once accepted."""

    user: User
    address: str
    language: str
    items: list[Notification]
    upto: int


async def preferences(core: Core, user: User) -> Preferences:
    conn = core.db.reader
    row = await email_sql.recipient(conn, user.id)
    return Preferences(
        row["address"] if row else None,
        row["mode"] if row else "never",
        await user_sql.language_of(conn, user.id),
        bool(core.settings.smtp_host),
    )


def check_address(value) -> str:
    address = check_text("email_address", value, 0, 254)
    if address and not ADDRESS.fullmatch(address):
        raise BadInput("email_address_invalid")
    return address


def check_choice(name: str, value, choices: tuple) -> str:
    if value not in choices:
        raise BadInput("field_choice", field=name, choices=", ".join(choices))
    return value


async def update(core: Core, user: User, body: dict) -> Preferences:
    """Any of email_address ("" forgets it), email_mode and language (null: the server's)."""
    current = await preferences(core, user)
    address = current.address
    if "email_address" in body:
        address = check_address(body["email_address"]) or None
    mode = current.mode if current.address else "batched"
    if "email_mode" in body:
        mode = check_choice("email_mode", body["email_mode"], MODES)
    language = current.language
    if "language" in body:
        language = body["language"]
        if language is not None:
            language = check_choice("language", language, LANGUAGES)

    async def job(conn):
        if address:
            await email_sql.save_recipient(conn, user.id, address, mode)
        else:
            await email_sql.forget_recipient(conn, user.id)
        await user_sql.set_language(conn, user.id, language)
        return Outcome(None)

    await core.commit(job)
    return await preferences(core, user)


def unsubscribe_token(secret: str, user_id: int) -> str:
    digest = hmac.new(secret.encode(), f"email unsubscribe {user_id}".encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(digest.digest()[:18]).decode()


async def unsubscribe(core: Core, user_id, token) -> None:
    """The signed link in every email (and RFC 8058's one-click POST): no sign-in."""
    user_id = check_int("u", user_id, 1, 2**62)
    token = check_text("t", token, 1, 100)
    if not hmac.compare_digest(unsubscribe_token(core.secret, user_id), token):
        raise Forbidden("email_unsubscribe_invalid")

    async def job(conn):
        return Outcome(await email_sql.set_mode(conn, user_id, "never"))

    await core.commit(job)


def cutoffs(settings) -> tuple[str, str]:
    """(created before this is past the delay, created before this is too old)."""
    return iso_utc(ago(settings.email_delay_seconds)), iso_utc(ago(LOOKBACK_SECONDS))


async def digest(core: Core, recipient) -> Digest | None:
    """What this user's next email lists, or None while a tab is open (nothing is
    passed over then: it is looked at again). A Digest with no items moves the mark
    past what was read, muted or is no longer theirs to see."""
    user_id = recipient["user_id"]
    left = away.away_seconds(core.hub, user_id, None)
    if left is None:
        return None
    conn = core.db.reader
    delay = core.settings.email_delay_seconds
    cutoff, oldest = cutoffs(core.settings)
    rows = await email_sql.pending(conn, user_id, recipient["emailed_upto"], oldest)
    at_once = recipient["mode"] == "direct"
    due = any(
        not row["is_read"]
        and ((row["created_at"] <= cutoff and left >= delay) or (at_once and row["direct"]))
        for row in rows
    )
    user = await user_sql.user_by_id(conn, user_id)
    if not due or user is None:
        return None
    upto = rows[-1]["id"]  # once one is due, the email takes everything unread so far
    items = []
    for row in rows:
        if row["is_read"]:
            continue
        found = await notifications.load(conn, user_id, notification_id=row["id"])
        if found and await away.still_away_and_wanted(core, found[0]):
            items.append(found[0])
    language = await user_sql.language_of(conn, user_id) or core.settings.language
    return Digest(user, recipient["address"], language, items, upto)


def conversation_seconds(settings) -> float:
    """The longest one SMTP conversation may take (CHAT_SMTP_TIMEOUT is per step)."""
    return 8 * settings.smtp_timeout_seconds


def lease_seconds(settings) -> float:
    """How long a claim holds: past the longest conversation, so a dead process's
    claim lapses and another sends instead."""
    return conversation_seconds(settings) + 2 * settings.smtp_timeout_seconds


# The mailer's bookkeeping (chat/web/mailer.py): who is due, and the claim that lets one
# process of several send each email, moved only in committed writes.
async def due(core: Core, now: float) -> list:
    cutoff, oldest = cutoffs(core.settings)
    limit = core.settings.email_queue_limit
    return await email_sql.due_recipients(core.db.reader, now, cutoff, oldest, limit)


async def _record(core: Core, query, *args):
    async def job(conn):
        return Outcome(await query(conn, *args))

    return await core.commit(job)


async def claim(core: Core, user_id: int, owner: str, now: float):
    """The recipient's row when this process may send their email now, else None."""
    return await _record(core, email_sql.claim, user_id, owner, now, lease_seconds(core.settings))


async def unclaim(core: Core, user_id: int, owner: str) -> None:
    await _record(core, email_sql.unclaim, user_id, owner)


async def mark_emailed(core: Core, user_id: int, owner: str, upto, sent_at) -> None:
    await _record(core, email_sql.mark_emailed, user_id, owner, upto, sent_at)


async def release(core: Core, user_id: int, owner: str, retry_at: float) -> None:
    await _record(core, email_sql.release, user_id, owner, retry_at)
