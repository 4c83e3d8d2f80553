"""Reading the audit log, for site admins only: filtered pages, the newest first
(keyset paging by id, so the millionth entry costs what the first does), and every
matching entry for an export. Recording is audit.py."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta

from chat.clock import iso_utc
from chat.core import Core
from chat.core.fields import check_int
from chat.core.site.administration import check_site_admin
from chat.core.site.audit import ACTIONS
from chat.db import audit as audit_sql
from chat.db.audit import AuditFilter
from chat.errors import BadInput
from chat.models import AuditEntry, User

MAX_FILTER = 200
PAGE_SIZE = 50


def check_moment(name: str, value, end: bool) -> str | None:
    """A date (YYYY-MM-DD, UTC, a whole day: an end date includes its day) or an ISO
    time with an offset."""
    if value in (None, ""):
        return None
    if not isinstance(value, str) or len(value) > 40:
        raise BadInput("time_invalid", field=name)
    try:
        if len(value) == 10:
            day = date.fromisoformat(value) + timedelta(days=1 if end else 0)
            return iso_utc(datetime(day.year, day.month, day.day, tzinfo=UTC))
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise BadInput("time_invalid", field=name) from None
    if moment.tzinfo is None:
        raise BadInput("time_invalid", field=name)
    return iso_utc(moment)


def check_filter(actor=None, action=None, target=None, since=None, until=None) -> AuditFilter:
    texts = {}
    for name, value in (("actor", actor), ("target", target)):
        if value not in (None, "") and (not isinstance(value, str) or len(value) > MAX_FILTER):
            raise BadInput("field_type", field=name, kind="string")
        texts[name] = value.strip() or None if isinstance(value, str) else None
    if action not in (None, "") and action not in ACTIONS:
        raise BadInput("field_choice", field="action", choices=", ".join(ACTIONS))
    return AuditFilter(
        texts["actor"],
        action or None,
        texts["target"],
        check_moment("since", since, False),
        check_moment("until", until, True),
    )


async def page(
    core: Core, admin: User, found: AuditFilter, before=None, limit=None
) -> tuple[list[AuditEntry], int | None]:
    """A page of entries older than id `before`, the newest first, and the `before` of
    the next page (None when this one is the last)."""
    check_site_admin(admin)
    before = None if before in (None, "") else check_int("before", before, 1, 2**62)
    limit = check_int("limit", limit, 1, 500, default=PAGE_SIZE)
    async with core.bounded_read() as conn:
        rows = await audit_sql.page(conn, found, before, limit + 1)
    return rows[:limit], rows[limit - 1].id if len(rows) > limit else None


def entries(core: Core, admin: User, found: AuditFilter) -> AsyncIterator[AuditEntry]:
    """Every matching entry, the oldest first, for an export; checked before the
    first byte goes out, so a refusal is a clean 403. Read on a connection of its own,
    so a long export never waits in front of the short reads."""
    check_site_admin(admin)
    return _entries(core, found)


async def _entries(core: Core, found: AuditFilter) -> AsyncIterator[AuditEntry]:
    async with core.db.snapshot() as conn:  # closed even when the client goes away
        async for entry in audit_sql.stream(conn, found):
            yield entry
