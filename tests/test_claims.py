"""Timed work is claimed in the database, never by being "the only process": a scheduled
message held by a process that died waits out its lease and is then sent by another;
a named lease is won by one claimer at a time; expiries act once even when another
process got there first (two hosts on PostgreSQL run these side by side)."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta

from chat.app import create_app
from chat.clock import iso_utc
from chat.core import Outcome
from chat.core.site import leases
from chat.db import schedule as schedule_sql
from chat.db import statuses as status_sql
from chat.db import users as user_sql
from tests.helpers import make_room
from tests.pgcluster import both_engines
from tests.test_team_schedule import soon


async def write(core, statement):
    async def job(conn):
        return Outcome(await statement(conn))

    return await core.commit(job)


async def sent_of(client, person) -> list:
    resp = await client.get("/api/chat/scheduled/?state=sent", headers=person.headers)
    return await resp.json()


@both_engines
async def test_a_message_claimed_by_a_dead_process_is_sent_when_its_lease_ends(client, core, alice):
    room = await make_room(client, alice)
    resp = await client.post(
        f"/api/chat/rooms/{room['id']}/scheduled/",
        headers=alice.headers,
        json={"content": "after the lease", "send_at": soon(0.6)},
    )
    scheduled = await resp.json()
    lease_end = datetime.now(UTC) + timedelta(seconds=2.0)
    # Another host claimed it and died before sending.
    assert await write(
        core,
        lambda conn: schedule_sql.claim_scheduled(
            conn, scheduled["id"], "gone-host:1:dead", iso_utc(), iso_utc(lease_end)
        ),
    )
    await asyncio.sleep(1.3)  # due, but held
    assert await sent_of(client, alice) == []
    for _ in range(60):
        if sent := await sent_of(client, alice):
            break
        await asyncio.sleep(0.1)
    assert [s["id"] for s in sent] == [scheduled["id"]]
    assert datetime.now(UTC) >= lease_end
    # A second claim of the same row now fails: it is no longer pending.
    assert not await write(
        core,
        lambda conn: schedule_sql.claim_scheduled(
            conn, scheduled["id"], "late:2:x", iso_utc(), iso_utc()
        ),
    )


@both_engines
async def test_a_named_lease_has_one_holder_until_it_runs_out(core):
    assert await leases.claim(core, "daily-purges", 0.3)
    assert not await leases.claim(core, "daily-purges", 0.3)  # held (by us, even)
    assert await leases.claim(core, "directory-recheck", 60)  # another chore's own
    await asyncio.sleep(0.35)
    assert await leases.claim(core, "daily-purges", 60)
    assert not await leases.claim(core, "daily-purges", 60)


async def test_an_expiry_another_process_already_acted_on_is_not_acted_on_again(
    client, core, alice
):
    resp = await client.put(
        "/api/chat/status/",
        headers=alice.headers,
        json={"emoji": "🌴", "text": "away", "expires_at": soon(30)},
    )
    assert resp.status == 200, await resp.text()
    later = iso_utc(datetime.now(UTC) + timedelta(seconds=60))
    assert await write(core, lambda conn: status_sql.delete_expired_status(conn, alice.id, later))
    assert not await write(
        core, lambda conn: status_sql.delete_expired_status(conn, alice.id, later)
    )
    ended = [
        await write(
            core,
            lambda conn: user_sql.set_standing(conn, alice.id, False, False, only_active=True),
        )
        for _ in range(2)
    ]
    assert ended == [True, False]


@both_engines
async def test_two_processes_on_one_database_run_the_daily_chores_once(
    aiohttp_client, settings, monkeypatch, caplog
):
    monkeypatch.setattr("chat.web.chores.FIRST_RUN_SECONDS", 0.0)
    monkeypatch.setattr("chat.web.chores.LOOK_SECONDS", 0.05)
    caplog.set_level(logging.INFO, logger="chat.web.chores")
    for _ in range(2):
        await aiohttp_client(create_app(settings))
    await asyncio.sleep(0.6)  # a dozen looks each
    runs = [r for r in caplog.records if "holds the day's lease" in r.getMessage()]
    assert len(runs) == 1
