"""Engine-neutral storage errors, so code above chat/db never names sqlite3 or asyncpg.

`except IntegrityError:` catches a broken constraint on either engine (the PostgreSQL
adapter re-raises asyncpg's as PostgresIntegrityError, so a SQLite-only process never
imports asyncpg). storage_failure() tells a fault of the storage (disk full, read-only,
the database server gone) from a bug, for the 507/503 answers.
"""

from __future__ import annotations

import sqlite3


class ReadBudgetSpent(Exception):
    """A bounded read ran out of time (or waited too long for a connection)."""


class PostgresIntegrityError(Exception):
    """A PostgreSQL constraint refused a row (asyncpg's error is the __cause__)."""


class UnstorableText(ValueError):
    """Text with a NUL character: SQLite stores it, PostgreSQL's text cannot hold it, so
    on PostgreSQL it is refused before it reaches the server (a 400, not a 500)."""


class DatabaseUnreachable(Exception):
    """No connection to the PostgreSQL server could be made (refused, timed out)."""


IntegrityError = (sqlite3.IntegrityError, PostgresIntegrityError)

# SQLite result codes (the low byte of an extended code) that mean "cannot write now".
SQLITE_FULL = 13
UNWRITABLE_CODES = {5: "locked", 6: "locked", 8: "read-only", 10: "I/O error", 14: "cannot open"}
# PostgreSQL SQLSTATEs: 53100 disk full; class 53 other resources, 25006 read-only
# transaction (a standby); class 08 and 57P0x: the connection or the server is gone.
PG_DISK_FULL = "53100"
PG_UNWRITABLE = ("53", "25006")
PG_UNAVAILABLE = ("08", "57P01", "57P02", "57P03", "53300")  # 53300: too many connections
# Class 40: PostgreSQL rolled the statement back to let another transaction through (a
# deadlock between two hosts' batches crossing the same rooms in opposite orders, a
# serialization failure): nothing of the job was stored, and sending it again works.
PG_BUSY = "40"


def storage_failure(exc: BaseException) -> str | None:
    """ "disk_full", "database_unwritable", "database_unavailable" or "database_busy"
    when exc says the storage refused or could not take a statement; None for anything
    else (a bug, a constraint)."""
    if isinstance(exc, sqlite3.Error):
        code = getattr(exc, "sqlite_errorcode", None)
        if code is None:
            return None
        if code & 0xFF == SQLITE_FULL:
            return "disk_full"
        return "database_unwritable" if code & 0xFF in UNWRITABLE_CODES else None
    if isinstance(exc, DatabaseUnreachable):
        return "database_unavailable"
    if not type(exc).__module__.startswith("asyncpg"):
        return None
    state = getattr(exc, "sqlstate", None) or ""
    if state == PG_DISK_FULL:
        return "disk_full"
    if state.startswith(PG_UNAVAILABLE) or not state:  # InterfaceError: connection closed
        return "database_unavailable"
    if state.startswith(PG_UNWRITABLE):
        return "database_unwritable"
    if state.startswith(PG_BUSY):
        return "database_busy"
    return None
