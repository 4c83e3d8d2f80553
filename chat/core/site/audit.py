"""The audit log: who did what to what, when and from where, for every
security-relevant action (docs/audit.md).

`record(conn, ...)` is called inside the write job of the action itself, so an action
never commits without its entry and a refused one leaves none. A failure that writes
nothing else (a wrong password) goes through `record_soon`, on the group-commit writer,
without making the caller wait. The address, user agent and request id come from the
Origin Core.commit carries into the job (origin.py). Entries are never changed; the
daily chores delete those older than CHAT_AUDIT_RETENTION_DAYS.

Reading it is audit_reads.py.
"""

from __future__ import annotations

import asyncio
import getpass
import json
import logging
import sqlite3
from dataclasses import asdict, replace
from datetime import datetime, timedelta
from pathlib import Path

from chat.clock import iso_utc, now
from chat.core import Core, Outcome
from chat.core.origin import current_origin, serving
from chat.db import audit as audit_sql
from chat.models import AuditEntry, Room, User

stream_log = logging.getLogger("teahouse.audit")
PURGE_BATCH = 5000
COMMAND_LINE = "cli"  # the actor name of the server.py subcommands

# The actions entries are recorded under; the admin page offers them as a filter.
ACTIONS = (
    "sign_in",
    "sign_in_failed",
    "sign_out",
    "session_revoked",
    "api_token_first_use",
    "password_changed",
    "password_reset",
    "site_role_changed",
    "user_deactivated",
    "user_reactivated",
    "directory_disabled",
    "room_created",
    "room_deleted",
    "room_restored",
    "room_purged",
    "room_archived",
    "room_unarchived",
    "room_type_changed",
    "room_member_limit_changed",
    "room_role_changed",
    "member_banned",
    "member_unbanned",
    "member_muted",
    "member_unmuted",
    "message_deleted_by_moderator",
    "webhook_created",
    "webhook_key_regenerated",
    "webhook_deleted",
    "bot_created",
    "bot_key_regenerated",
    "bot_deleted",
    "api_token_created",
    "api_token_revoked",
    "export",
    "import",
    "backup_started",
    "guest_invited",
    "guest_link_created",
    "guest_signed_up",
    "guest_converted",
    "guest_expiry_set",
    "guest_expired",
)


def target_parts(target) -> tuple[str | None, str | None, str | None]:
    """(type, id, name) of a User, a Room, or a (type, id, name) tuple."""
    if isinstance(target, User):
        return "user", str(target.id), target.username
    if isinstance(target, Room):
        return "room", str(target.id), target.name
    if target is None:
        return None, None, None
    kind, ident, name = target
    return kind, None if ident is None else str(ident), name


def new_entry(actor: User | str | None, action: str, target, detail: dict) -> AuditEntry:
    """actor: the user acting, or only a name (a failed sign-in, the command line)."""
    if action not in ACTIONS:  # a typo would file entries no filter offers
        raise ValueError(f"unknown audit action {action!r}")
    origin = serving.get() or current_origin()
    actor_id = actor.id if isinstance(actor, User) else None
    actor_name = actor.username if isinstance(actor, User) else actor
    return AuditEntry(
        0,
        iso_utc(),
        actor_id,
        actor_name,
        action,
        *target_parts(target),
        origin.address,
        origin.user_agent,
        origin.request_id,
        detail,
    )


async def record(conn, actor: User | str | None, action: str, target=None, **detail) -> None:
    """One entry, in the transaction of the write job that calls it."""
    entry = new_entry(actor, action, target, detail)
    entry = replace(entry, id=await audit_sql.insert_entry(conn, entry))
    if (origin := serving.get()) is not None:
        origin.recorded.append(entry)


def record_soon(core: Core, actor: User | str | None, action: str, target=None, **detail) -> None:
    """An entry of an action that writes nothing else: queued on the writer, not awaited."""

    async def job(conn):
        await record(conn, actor, action, target, **detail)
        return Outcome(None)

    task = asyncio.create_task(core.commit(job), name="audit")
    core.audit.pending.add(task)
    task.add_done_callback(core.audit.pending.discard)


def record_command(conn: sqlite3.Connection, action: str, **detail) -> None:
    """An entry of a server.py subcommand (export, import, backup), in conn's
    transaction; the operating system's user is in the detail."""
    detail = {"os_user": getpass.getuser(), **detail}
    audit_sql.insert_entry_now(conn, new_entry(COMMAND_LINE, action, None, detail))


def record_command_now(database: Path, action: str, **detail) -> None:
    """record_command in a transaction of its own, beside a server that may be running."""
    conn = sqlite3.connect(database, timeout=30)
    try:
        with conn:
            record_command(conn, action, **detail)
    finally:
        conn.close()


def log_entries(entries: list[AuditEntry]) -> None:
    """A Core audit listener (CHAT_AUDIT_LOG_STREAM=1): one JSON line per entry on the
    "teahouse.audit" logger, for a SIEM reading journald."""
    for entry in entries:
        stream_log.info(json.dumps(asdict(entry), ensure_ascii=False))


async def purge_expired(core: Core, at: datetime | None = None) -> int:
    """The daily chore: entries older than CHAT_AUDIT_RETENTION_DAYS go, in batches
    so the writer is never held for long."""
    cutoff = iso_utc((at or now()) - timedelta(days=core.settings.audit_retention_days))
    removed = 0
    while True:

        async def job(conn):
            return Outcome(await audit_sql.delete_before(conn, cutoff, PURGE_BATCH))

        batch = await core.commit(job)
        removed += batch
        if batch < PURGE_BATCH:
            return removed
