"""Whether the server can do its job right now: the database takes writes and the disk
has room. /healthz reports these reasons with a 503; the server will not start without
a writable database (rather than starting and failing every login)."""

from __future__ import annotations

import asyncio
import shutil

from chat.clock import iso_utc
from chat.db import Database
from chat.db.errors import storage_failure
from chat.errors import Unavailable
from chat.settings import Settings

PROBE_SECONDS = 5.0  # a write that takes longer than this is a fault worth reporting


async def write_problem(db: Database) -> str | None:
    """None when a real write (health_probe) commits now, else what stopped it."""
    try:
        await asyncio.wait_for(db.probe_write(iso_utc()), PROBE_SECONDS)
    except TimeoutError:
        return f"database write took over {PROBE_SECONDS:g} s"
    except Exception as exc:
        reason = storage_failure(exc)
        if reason is None:
            raise
        return f"database not writable: {reason.replace('_', ' ')} ({exc})"
    return None


def space_problem(settings: Settings) -> str | None:
    """The data directory's disk, and the files directory's when it is elsewhere (a
    mount shared by several hosts fills up for all of them)."""
    for folder, where in ((settings.data_dir, ""), (settings.files_dir, " in CHAT_FILES_DIR")):
        if folder is None:
            continue
        free_mb = shutil.disk_usage(folder).free // 2**20
        if free_mb < settings.min_free_mb:
            return (
                f"free space{where} {free_mb} MB is below CHAT_MIN_FREE_MB={settings.min_free_mb}"
            )
    return None


async def problems(db: Database, settings: Settings) -> list[str]:
    found = [space_problem(settings), await write_problem(db)]
    return [problem for problem in found if problem]


async def check_writable(db: Database, settings: Settings) -> None:
    """At start: stop with a clear message when the database cannot be written."""
    if problem := await write_problem(db):
        raise Unavailable("cannot_start", path=settings.database_shown, problem=problem)
