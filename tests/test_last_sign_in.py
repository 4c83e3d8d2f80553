"""Issue 24 item 7: the admin list's "Last sign-in" moves for every way of being signed
in: registering, a password, a refresh, the page's cookie and a token minted elsewhere."""

from __future__ import annotations

import time

import jwt

from chat.core import Outcome
from tests.test_session_cookie import origin, sign_in


async def last_sign_in(client, admin, username: str) -> str | None:
    resp = await client.get(f"/api/chat/admin/users/?q={username}", headers=admin.headers)
    return next(u for u in await resp.json() if u["username"] == username)["last_login_at"]


async def forget_sign_ins(core) -> None:
    async def job(conn):
        await conn.execute("UPDATE users SET last_login_at = NULL")
        return Outcome(None)

    await core.commit(job)
    core.people.sign_ins_noted.clear()


async def test_registering_counts_as_a_sign_in(client, admin, bob):
    assert await last_sign_in(client, admin, "bob") is not None


async def test_a_refresh_counts_as_a_sign_in(client, core, admin, bob):
    await forget_sign_ins(core)
    resp = await client.post("/api/auth/refresh", json={"refresh_token": bob.refresh_token})
    assert resp.status == 200
    assert await last_sign_in(client, admin, "bob") is not None


async def test_the_page_s_cookie_counts_as_a_sign_in(client, core, admin, alice):
    await sign_in(client, "alice")
    await forget_sign_ins(core)
    assert (await client.get("/api/auth/me")).status == 200  # the cookie alone
    assert await last_sign_in(client, admin, "alice") is not None
    await forget_sign_ins(core)
    resp = await client.post("/api/auth/refresh", json={}, headers={"Origin": origin(client)})
    assert resp.status == 200  # the page's cookie refresh
    assert await last_sign_in(client, admin, "alice") is not None


async def test_a_token_minted_by_another_system_counts_as_a_sign_in(client, core, admin):
    now = int(time.time())
    token = jwt.encode(
        {"sub": "500", "username": "embedded", "type": "access", "iat": now, "exp": now + 600},
        core.secret,
        algorithm="HS256",
    )
    resp = await client.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert resp.status == 200, await resp.text()
    assert await last_sign_in(client, admin, "embedded") is not None
