"""Reading the audit log in tests, through the site admins' endpoint."""
from __future__ import annotations

import asyncio
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
