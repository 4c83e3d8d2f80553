"""The admin console's lists (issue 24): people, bots and webhooks, rooms and direct
conversations, searched and paged on the server with their totals, at thousands of
accounts created through the registration endpoint."""

import asyncio
import dataclasses
import time

import pytest

from tests.helpers import assert_error, make_room, register

PEOPLE = 3000  # bounded: registered in batches, within TIME_LIMIT
BATCH = 25
TIME_LIMIT = 90.0


@pytest.fixture
def settings(settings):
    """Sign-up budgets off: this test registers thousands from one address on purpose."""
    return dataclasses.replace(settings, register_per_address=0, register_per_minute=0)


async def page(client, person, path, **params) -> tuple[list[dict], int]:
    resp = await client.get(path, params=params, headers=person.headers)
    assert resp.status == 200, await resp.text()
    return await resp.json(), int(resp.headers["X-Total-Count"])


async def test_thousands_of_people_are_paged_and_searched_on_the_server(client, admin):
    # The registration path as it is, with the tests' cheap scrypt factor (conftest.py):
    # 3,000 full-strength hashes take minutes on a busy CI.
    started = time.monotonic()
    for first in range(0, PEOPLE, BATCH):
        await asyncio.gather(
            *(
                register(client, f"person{n:04d}", display_name=f"Person {n}")
                for n in range(first, min(first + BATCH, PEOPLE))
            )
        )
        assert time.monotonic() - started < TIME_LIMIT, f"{first} registered in {TIME_LIMIT} s"
    found, total = await page(client, admin, "/api/chat/admin/users/", limit=50)
    assert total == PEOPLE + 1 and len(found) == 50
    seen = set()
    for offset in range(0, total, 500):
        rows, _ = await page(client, admin, "/api/chat/admin/users/", limit=500, offset=offset)
        seen.update(row["id"] for row in rows)
    assert len(seen) == total  # every page, no row twice
    rows, total = await page(client, admin, "/api/chat/admin/users/", q="person 19", limit=20)
    assert total == 111 and len(rows) == 20  # 19, 190-199, 1900-1999
    assert rows[0]["username"] == "person0019" and rows[0]["kind"] == "person"
    rows, total = await page(client, admin, "/api/chat/admin/users/", q="person1999")
    assert total == 1 and rows[0]["display_name"] == "Person 1999"
    rows, total = await page(client, admin, "/api/chat/admin/users/", limit=10, offset=PEOPLE + 5)
    assert rows == [] and total == PEOPLE + 1


async def test_bots_and_webhook_accounts_are_kept_apart_from_people(client, admin, alice):
    room = await make_room(client, alice)
    hook = await client.post(
        f"/api/chat/rooms/{room['id']}/hooks/", json={"name": "Deploys"}, headers=alice.headers
    )
    assert hook.status == 201, await hook.text()
    bot = await client.post("/api/chat/bots/", json={"username": "helper"}, headers=admin.headers)
    assert bot.status == 201, await bot.text()
    people, total = await page(client, admin, "/api/chat/admin/users/", kind="people")
    assert {p["username"] for p in people} == {"admin", "alice"} and total == 2
    assert {p["kind"] for p in people} == {"person"}
    bots, total = await page(client, admin, "/api/chat/admin/users/", kind="bots")
    assert total == 2 and sorted(b["kind"] for b in bots) == ["bot", "webhook"]
    assert all(b["is_bot"] for b in bots)
    _, total = await page(client, admin, "/api/chat/admin/users/")
    assert total == 4
    resp = await client.get(
        "/api/chat/admin/users/", params={"kind": "robots"}, headers=admin.headers
    )
    assert "people" in await assert_error(resp, 400, "channels")


async def test_direct_conversations_are_kept_apart_from_rooms(client, admin, alice, bob):
    for n in range(120):  # bounded
        await make_room(client, alice, name=f"project {n:03d}")
    resp = await client.post("/api/chat/direct/", json={"username": "bob"}, headers=alice.headers)
    direct = await resp.json()
    rooms, total = await page(client, admin, "/api/chat/admin/rooms/", kind="rooms", limit=50)
    assert total == 121 and len(rooms) == 50 and rooms[0]["slug"] == "global"
    assert direct["id"] not in {r["id"] for r in rooms}
    assert rooms[1]["message_count"] == 0 and rooms[1]["deleted_at"] is None
    found, total = await page(client, admin, "/api/chat/admin/rooms/", kind="direct")
    assert total == 1 and found[0]["id"] == direct["id"] and found[0]["room_type"] == "direct"
    found, total = await page(client, admin, "/api/chat/admin/rooms/", q="project 11", kind="rooms")
    assert total == 10
    _, total = await page(client, admin, "/api/chat/admin/rooms/")
    assert total == 122
