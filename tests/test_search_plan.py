"""A filtered search reads the narrowest source (chat/core/conversation/search_plan.py):
with a read window of ten candidates, a message behind thirty newer matches of its words
is found on the first page when a narrower source (a person, a room, a day, files,
pins, saves, mentions) holds it, where reading the text index first would answer an
empty page and "read on". Each source's SQL walks its own index, and dates become ids
through the days the indexer records, indexed or not yet."""

import pytest

from chat.core.conversation import search as search_core
from chat.core.conversation.search_plan import CAP, RECENT, TEXT, choose, index_sources
from chat.db.search import Scope
from chat.db.search_sources import SOURCES
from chat.models import SearchQuery
from chat.settings import Settings
from tests.helpers import NO_RATE_LIMITS, database_before, make_room, post_message
from tests.test_search_operators import index_now
from tests.test_uploads import pdf
from tests.test_uploads import upload_raw as upload

WINDOW = 10
NEWER = 30


@pytest.fixture
def settings(tmp_path) -> Settings:
    """Indexing only when a test says so (index_now): "not indexed yet" stays true."""
    return Settings(data_dir=tmp_path / "data", search_index_delay=600.0, **NO_RATE_LIMITS)


async def find(client, person, q) -> dict:
    resp = await client.get("/api/chat/search/", params={"q": q}, headers=person.headers)
    assert resp.status == 200, await resp.text()
    return await resp.json()


async def first_page(client, person, q) -> list[str]:
    """The first page's contents; the search must be complete on it (next_before None)."""
    body = await find(client, person, q)
    assert body["next_before"] is None, q
    return [hit["content"] for hit in body["results"]]


@pytest.fixture
async def crowded(client, alice, make_user, monkeypatch):
    """Room ops: wei's one older "deploy" message, then thirty newer ones by alice."""
    monkeypatch.setattr(search_core, "SCAN_WINDOW", WINDOW)
    wei = await make_user("wei")
    ops = await make_room(client, alice, name="ops")
    resp = await client.post(f"/api/chat/rooms/{ops['id']}/join/", headers=wei.headers)
    assert resp.status in (200, 201), await resp.text()
    older = await post_message(client, wei, ops, "deploy by wei, with @alice")
    await post_message(client, wei, ops, "wei says nothing about it")
    for n in range(NEWER):
        await post_message(client, alice, ops, f"deploy number {n}")
    return wei, ops, older


@pytest.mark.parametrize("indexed", [False, True])
async def test_a_person_in_a_room_is_read_before_the_text_index(
    client, core, alice, crowded, indexed
):
    wei, ops, _ = crowded
    if indexed:
        await index_now(core)
    assert await first_page(client, alice, "from:wei deploy") == ["deploy by wei, with @alice"]
    assert await first_page(client, alice, "from:wei in:ops deploy") == [
        "deploy by wei, with @alice"
    ]
    assert await first_page(client, alice, "from:wei -deploy") == ["wei says nothing about it"]
    assert await first_page(client, alice, "from:wei -DEPLOY 说") == []
    assert await first_page(client, alice, "mentions:alice") == ["deploy by wei, with @alice"]


async def test_a_day_is_an_id_range(client, core, alice, crowded):
    wei, ops, older = crowded
    await core.db.write(
        lambda conn: conn.execute(
            "UPDATE messages SET created_at = '2026-01-05T09:00:00.000Z' WHERE id = ?",
            (older["id"],),
        )
    )
    # Not indexed yet: the day is not recorded, the newest messages are read in windows.
    seen, params = [], {"q": "on:2026-01-05"}
    while True:
        resp = await client.get("/api/chat/search/", params=params, headers=alice.headers)
        body = await resp.json()
        seen += [hit["content"] for hit in body["results"]]
        if body["next_before"] is None:
            break
        params["before"] = body["next_before"]
    assert seen == ["deploy by wei, with @alice"]
    await index_now(core)
    rows = await core.db.write(
        lambda conn: conn.execute_fetchall(
            "SELECT first_id, last_id FROM message_days WHERE day = '2026-01-05'"
        )
    )
    assert [tuple(row) for row in rows] == [(older["id"], older["id"])]
    assert await first_page(client, alice, "on:2026-01-05 deploy") == ["deploy by wei, with @alice"]
    assert await first_page(client, alice, "before:2026-01-06 deploy") == [
        "deploy by wei, with @alice"
    ]
    assert await first_page(client, alice, "on:2026-01-05") == ["deploy by wei, with @alice"]
    assert await first_page(client, alice, "on:2026-01-04 deploy") == []
    after = await find(client, alice, "after:2026-01-05 deploy")
    assert "deploy by wei, with @alice" not in [hit["content"] for hit in after["results"]]


async def test_files_pins_and_saves_are_sources(client, core, alice, bob, crowded):
    wei, ops, older = crowded
    resp = await client.post(f"/api/chat/messages/{older['id']}/pin/", headers=alice.headers)
    assert resp.status in (200, 201), await resp.text()
    resp = await client.post(f"/api/chat/messages/{older['id']}/save/", headers=alice.headers)
    assert resp.status in (200, 201), await resp.text()
    assert (await upload(client, wei, "deploy-plan.pdf", pdf(), "application/pdf", ops["slug"])).ok
    for n in range(NEWER):
        await post_message(client, alice, ops, f"more deploy talk {n}")
    await index_now(core)
    assert await first_page(client, alice, "has:file deploy") == ["sent a file: deploy-plan.pdf"]
    assert await first_page(client, alice, "is:pinned deploy") == ["deploy by wei, with @alice"]
    assert await first_page(client, alice, "is:saved") == ["deploy by wei, with @alice"]
    assert await first_page(client, alice, "has:image") == []


def test_the_plan_prefers_the_fewest_candidates():
    wei_in_ops = Scope(room_ids=(7,), sender_id=3)
    query = SearchQuery(terms=("deploy",), has=frozenset({"file"}), flags=frozenset({"saved"}))
    assert index_sources(query, wei_in_ops) == ["saved", "file", "room_sender"]
    assert index_sources(SearchQuery(), Scope(room_ids=(7, 8), sender_id=3)) == ["sender"]
    assert choose(None, None) == RECENT
    assert choose(None, 5) == TEXT
    assert choose(("room", 40), 41) == "room"  # the text index had more than 40
    assert choose(("room", 40), 12) == TEXT
    assert choose(("room", CAP), CAP) == TEXT  # both many: the words' own index
    assert choose(("room", CAP), None) == "room"


@pytest.mark.parametrize(
    "source, index",
    [
        ("saved", "PRIMARY KEY (user_id=? AND message_id>?"),
        ("pinned", "INTEGER PRIMARY KEY"),
        ("image", "messages_images"),
        ("file", "messages_files"),
        ("room_sender", "messages_room_sender"),
        ("room", "messages_room"),
        ("sender", "messages_sender"),
        ("recent", "INTEGER PRIMARY KEY"),
    ],
)
async def test_each_source_walks_its_index(core, source, index):
    params = {"user": 1, "room": 1, "sender": 1, "before": 10, "low": 0, "size": 5}
    async with core.bounded_read() as conn:
        rows = await conn.execute_fetchall(f"EXPLAIN QUERY PLAN {SOURCES[source]}", params)
    plan = " ".join(row[3] for row in rows)
    assert plan.startswith("SEARCH") and index in plan and "TEMP B-TREE" not in plan, plan


async def test_an_older_database_gets_its_days_on_upgrade(tmp_path):
    """Migration 0027 records the days of the messages already stored, imported ones (an
    older date at a higher id) included: a day's span holds all of its ids."""
    from chat.db import Database

    path = tmp_path / "old.db"
    conn = database_before(path, 27)
    days = ["2026-03-01", "2026-03-02", "2026-03-01", "2025-12-31"]
    for day in days:
        stamp = f"{day}T08:00:00.000Z"
        conn.execute(
            """INSERT INTO messages (room_id, sender_id, content, created_at, updated_at)
               VALUES (1, NULL, 'old', ?, ?)""",
            (stamp, stamp),
        )
    conn.close()
    db = Database(path)
    await db.open()
    try:
        rows = await db.fetch_all("SELECT day, first_id, last_id FROM message_days ORDER BY day")
        assert [tuple(row) for row in rows] == [
            ("2025-12-31", 4, 4),
            ("2026-03-01", 1, 3),
            ("2026-03-02", 2, 2),
        ]
    finally:
        await db.close()
