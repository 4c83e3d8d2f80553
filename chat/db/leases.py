"""SQL for named leases: a site-wide chore runs in the one process that won its lease
(one row per chore, taken when the last holder's time is up), whichever host it is on."""

from __future__ import annotations


async def claim_lease(conn, name: str, owner: str, now: str, until: str) -> bool:
    """Hold name until `until` if nobody holds it at `now`; False when someone does.
    One statement, so two processes (two hosts on PostgreSQL) cannot both win."""
    cursor = await conn.execute(
        """INSERT INTO job_leases (name, claimed_by, claimed_until) VALUES (?, ?, ?)
           ON CONFLICT (name) DO UPDATE
              SET claimed_by = excluded.claimed_by, claimed_until = excluded.claimed_until
            WHERE job_leases.claimed_until <= ?""",
        (name, owner, until, now),
    )
    return cursor.rowcount > 0
