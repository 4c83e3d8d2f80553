"""Reading the audit log in tests, through the site admins' endpoint."""

from __future__ import annotations

import asyncio
import json
import time

AUDIT = "/api/chat/admin/audit/"


async def entries(client, admin, **filters) -> list[dict]:
    resp = await client.get(AUDIT, params={"limit": "500", **filters}, headers=admin.headers)
    assert resp.status == 200, await resp.text()
    return await resp.json()


async def the_entry(client, admin, action: str, wait: float = 0.0, **filters) -> dict:
    """The one entry of an action (matching filters); fails if there are none or more.
    wait: seconds to allow for an entry written without blocking (a failed sign-in)."""
    deadline = time.monotonic() + wait
    while True:
        found = await entries(client, admin, action=action, **filters)
        if found or time.monotonic() >= deadline:
            break
        await asyncio.sleep(0.05)
    assert len(found) == 1, found
    return found[0]


async def rows_soon(db, count: int, action: str | None = None) -> list:
    """(action, actor_name, target_name, detail) of the log's rows, once there are count
    of them (of action) or two seconds have passed: a failure's entry is written
    without its caller waiting."""
    deadline = time.monotonic() + 2.0
    while True:
        rows = await db.fetch_all(
            """SELECT action, actor_name, target_name, detail FROM audit_log
               WHERE ? IS NULL OR action = ? ORDER BY id""",
            (action, action),
        )
        if len(rows) >= count or time.monotonic() >= deadline:
            return [(row[0], row[1], row[2], json.loads(row[3])) for row in rows]
        await asyncio.sleep(0.05)
