"""Timed work claimed once across processes and hosts: a lease is a database row one
process wins by an atomic write, never "the only process" or a lock on a local disk
(which another host cannot see). docs/scale-out.md lists what is claimed how."""

from __future__ import annotations

import os
import socket
import uuid
from datetime import timedelta

from chat.clock import iso_utc, now
from chat.core import Core, Outcome
from chat.db import leases as lease_sql


def new_owner() -> str:
    """A name for a claimer, unique across hosts and restarts (and readable in the rows)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


OWNER = new_owner()  # this process


def lease_times(seconds: float) -> tuple[str, str]:
    """(now, now + seconds) in the stored format."""
    moment = now()
    return iso_utc(moment), iso_utc(moment + timedelta(seconds=seconds))


async def claim(core: Core, name: str, seconds: float) -> bool:
    """True when this process won the lease `name` for the next `seconds`."""

    async def job(conn):
        return Outcome(await lease_sql.claim_lease(conn, name, OWNER, *lease_times(seconds)))

    return await core.commit(job)
