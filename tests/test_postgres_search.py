"""Search on PostgreSQL (chat/db/postgres_search.py, migration postgres/0030): Chinese
terms of one, two and three characters, mixed scripts, phrases, exclusions and every
operator, never past what the searcher may read, and page by page the same messages as
the SQLite engine (FTS5 trigram + windows) on one shared set of messages. The messages go
into a database of the session's cluster (tests/pgcluster.py) migrated like a site's,
through the engine's own connection, by the same statements as into SQLite."""

from __future__ import annotations

import sqlite3

import pytest

from chat.core.conversation import search as core_search
from chat.core.conversation.search_query import parse_query
from chat.db import postgres_search, postgres_sources, sqlite_search
from chat.db.database import Database
from chat.db.pg_connection import PgConnection
from chat.db.search import Scope
from chat.db.search_index import index_next_batch
from tests.pgcluster import run_in_thread

ALICE, BOB, WEI, CAROL = 1, 2, 3, 4
USERS = {ALICE: "alice", BOB: "bob", WEI: "wei", CAROL: "carol"}
# id: slug, name, type, active
ROOMS = {
    10: ("ops", "ops", "public", 1),
    11: ("team-ops", "team ops", "private", 1),
    12: ("yunwei", "运维", "public", 1),
    13: ("secret", "secret", "private", 1),
    14: ("banned", "banned", "private", 1),
    15: ("gone", "gone", "public", 0),
}
# (room, user, banned)
MEMBERS = [(10, ALICE, 0), (11, ALICE, 0), (12, ALICE, 0), (14, ALICE, 1), (10, BOB, 0),
           (11, BOB, 0), (13, BOB, 0), (10, WEI, 0), (12, WEI, 0)]  # fmt: skip
# id: room, sender, content, type, file_url, deleted, day (November), thread
SPECIAL = {
    1: (10, BOB, "部署 finished on staging", "text", None, 0, 2, None),
    2: (10, WEI, "部署失败 on prod, rollback", "text", None, 0, 3, None),
    3: (10, WEI, "Deploy window tonight 部署", "text", None, 0, 5, None),
    4: (12, WEI, "明天的会议改到三点", "text", None, 0, 1, None),
    5: (12, BOB, "会议纪要 attached", "file", "/uploads/a.pdf", 0, 10, None),
    6: (10, BOB, "新版本发布 https://example.com/notes", "text", None, 0, 15, None),
    7: (10, WEI, "the release notes are out @alice", "text", None, 0, 15, None),
    8: (10, BOB, "release the notes later @alicia", "text", None, 0, 16, None),
    9: (11, BOB, "team ops: 部署 plan", "text", None, 0, 1, None),
    10: (13, BOB, "部署 secret in a room alice cannot read", "text", None, 0, 1, None),
    11: (14, BOB, "部署 banned room text", "text", None, 0, 1, None),
    12: (15, BOB, "部署 in an archived room", "text", None, 0, 1, None),
    13: (10, BOB, "部署 deleted later", "text", None, 1, 1, None),
    14: (10, None, "部署 joined", "system", None, 0, 1, None),
    15: (12, WEI, "截图 服务 screenshot", "image", "/uploads/b.png", 0, 15, None),
    16: (10, WEI, "服务 restarted, HTTPS://EXAMPLE.ORG up", "text", None, 0, 9, None),
    17: (10, BOB, "部署 thread reply", "text", None, 0, 4, 1),
    18: (12, BOB, "服务器 部署 完成", "text", None, 0, 20, None),
    19: (10, WEI, "@Alice 看一下 服务", "text", None, 0, 21, None),
    20: (10, BOB, "100% done_with it", "text", None, 0, 22, None),
}
FILLER, NEWEST = range(100, 1600), range(4000, 4010)
QUERIES = [
    "会", "部署", "新版本", "部署 deploy", "DEPLOY", '"release notes"', "release notes",
    "部署 -失败", "-rollback 部署", "服务", '服务 -"服务器"', "from:wei", "from:wei 部署",
    "in:ops 部署", "in:运维", 'in:"team ops"', "in:secret 部署", "mentions:alice", "@me",
    "has:link", "has:file", "has:image", "is:pinned", "is:saved", "before:2026-11-02",
    "after:2026-11-10", "on:2026-11-15", "in:thread:1", "in:thread:1 部署",
    "from:wei in:ops has:link after:2026-08-01", "部署 in:ops before:2026-11-10 -staging",
    "100%", "e_w", "chatter", "会议室", "number 7", "secret", "banned", "archived",
    "deleted", "joined", "服务 has:image from:wei", "会议 -纪要", "-chatter", "截",
]  # fmt: skip


def message_rows():
    """Every message: (id, room, sender, content, type, file_url, deleted, created_at,
    thread): the special ones oldest, 1,500 of chatter (past the first window), then
    the newest ten."""
    for mid, (room, sender, content, kind, url, deleted, day, thread) in SPECIAL.items():
        yield mid, room, sender, content, kind, url, deleted, f"2026-11-{day:02d}T12:00:00Z", thread
    for n in FILLER:
        extra = " 会议室" if n % 7 == 0 else ""
        stamp = f"2026-{8 + n % 3:02d}-{1 + n % 28:02d}T08:00:00Z"
        yield (
            n,
            (10, 12)[n % 2],
            (BOB, WEI)[n % 3 % 2],
            f"chatter number {n}{extra}",
            "text",
            None,
            0,
            stamp,
            None,
        )
    for n in NEWEST:
        yield n, 10, WEI, f"部署 round {n}", "text", None, 0, "2026-11-30T12:00:00Z", None


STAMP = "2026-08-01T00:00:00Z"


def site_rows() -> list[tuple[str, list[tuple]]]:
    """(statement, rows): the people, rooms, memberships, messages, a pin and a saved
    message, as both engines take them (`?` placeholders)."""
    return [
        (
            """INSERT INTO users (id, username, username_key, created_at, updated_at)
               VALUES (?, ?, ?, ?, ?)""",
            [(uid, name, name, STAMP, STAMP) for uid, name in USERS.items()],
        ),
        (
            """INSERT INTO rooms (id, slug, name, room_type, is_active, created_at, updated_at)
               VALUES (?, ?, ?, ?, ?, ?, ?)""",
            [(rid, *room, STAMP, STAMP) for rid, room in ROOMS.items()],
        ),
        (
            "INSERT INTO memberships (room_id, user_id, is_banned, joined_at) VALUES (?, ?, ?, ?)",
            [(*member, STAMP) for member in MEMBERS],
        ),
        (
            """INSERT INTO messages (id, room_id, sender_id, content, message_type, file_url,
                                     is_deleted, created_at, thread_id, updated_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            [(*row, STAMP) for row in message_rows()],
        ),
        ("INSERT INTO pins (message_id, room_id, pinned_at) VALUES (18, 12, ?)", [(STAMP,)]),
        ("INSERT INTO saved_messages VALUES (?, 18, ?)", [(ALICE, STAMP)]),
    ]


async def load_site(url: str) -> None:
    """The messages stored. The tables stay never analyzed, as the plans of
    test_each_source_walks_its_index_in_order expect (with statistics of so few rows
    the planner may walk another index): autovacuum is off on messages, so its ANALYZE
    cannot come halfway through the file."""
    conn = await PgConnection.open(url)
    try:
        await conn.execute("ALTER TABLE messages SET (autovacuum_enabled = false)")
        for statement, rows in site_rows():
            await conn.executemany(statement, rows)
    finally:
        await conn.close()


@pytest.fixture(scope="module")
def site(pg_cluster):
    """The messages in one migrated PostgreSQL database for the whole file (a copy of
    the template and 1,530 messages stored cost seconds per test on a loaded machine)."""
    url = pg_cluster.fresh_database()
    run_in_thread(lambda: load_site(url))
    yield url
    pg_cluster.drop_database(url)


@pytest.fixture
async def pg(site):
    """The engine's connection to the site, in a transaction rolled back after the test:
    what a test stores, and a SET, is gone for the next one."""
    conn = await PgConnection.open(site)
    transaction = conn.raw.transaction()
    await transaction.start()
    yield conn
    await transaction.rollback()
    await conn.close()


@pytest.fixture
async def pg_own(pg_cluster):
    """A site of the test's own, for tests that store tens of thousands of messages:
    rolled back, they would stay behind as dead rows, and ANALYZE writes the table's
    size in place (not undone), so later tests' plans would change."""
    url = pg_cluster.fresh_database()
    await load_site(url)
    conn = await PgConnection.open(url)
    yield conn
    await conn.close()
    pg_cluster.drop_database(url)


@pytest.fixture
async def lite(tmp_path):
    """The same messages in a migrated SQLite database, everything indexed."""
    path = tmp_path / "teahouse.db"
    db = Database(path)
    await db.open()
    await db.close()
    with sqlite3.connect(path) as conn:
        for statement, rows in site_rows():
            conn.executemany(statement, rows)
    db = Database(path, read_budget=600)  # one read lent for the whole test
    await db.open()
    while await db.write(index_next_batch):
        pass
    async with db.bounded_read() as conn:
        yield conn
    await db.close()


async def load_old(pg, *statements: str) -> None:
    """Messages stored as an import stores them (chat/ops/postgres_move.py): the row
    triggers off in the one transaction, so their ids stay as given (the room's commit
    order, postgres/0032, would renumber an id below the room's newest) and a room's
    counter is not updated once per row (30,000 updates of one row in one statement
    take minutes); the indexes, the search's part, are kept as ever. Then ANALYZE, as
    autovacuum would after such a load."""
    async with pg.raw.transaction():
        await pg.execute("ALTER TABLE messages DISABLE TRIGGER USER")
        for sql in statements:
            await pg.execute(sql)
        await pg.execute("ALTER TABLE messages ENABLE TRIGGER USER")
    await pg.execute("ANALYZE messages")


def engine_of(conn):
    """The search SQL of the connection's engine (the app's Database says it itself)."""
    return postgres_search.SEARCH if isinstance(conn, PgConnection) else sqlite_search.SEARCH


async def scope_of(conn, query, public=True) -> Scope | None:
    """What core's resolve() makes of the names, rooms looked up by the engine's SQL."""
    rooms = (
        () if query.room is None else tuple(await engine_of(conn).room_ids_named(conn, query.room))
    )
    if query.room is not None and not rooms:
        return None
    senders = {"me": ALICE} | {name: uid for uid, name in USERS.items()}
    mention = query.mentions and ("alice" if query.mentions == "me" else query.mentions)
    sender = senders.get(query.sender) if query.sender else None
    return Scope(rooms, sender, mention, query.thread, public)


async def every_page(conn, q: str, limit: int, public=True, user=ALICE) -> list[int]:
    """All the ids a searcher reads following next_before to the end."""
    query = parse_query(q)
    scope = await scope_of(conn, query, public)
    if scope is None:
        return []
    found, before = [], core_search.NO_LIMIT
    while before is not None:
        ids, floor = await core_search.matching_ids(
            conn, engine_of(conn), user, query, scope, before, limit + 1
        )
        page = ids[:limit]
        found += page
        before = page[-1] if len(ids) > limit else floor
    return found


async def first_page(conn, q: str, user=ALICE) -> tuple[list[int], int | None]:
    query = parse_query(q)
    scope = await scope_of(conn, query)
    engine = engine_of(conn)
    return await core_search.matching_ids(conn, engine, user, query, scope, 2**62, 21)


def contents(ids) -> list[str]:
    return [dict((row[0], row[3]) for row in message_rows())[mid] for mid in ids]


@pytest.mark.parametrize(
    "limit, searchers",
    [(7, [(True, ALICE)]), (50, [(True, ALICE), (False, ALICE), (True, CAROL), (False, CAROL)])],
)
async def test_every_query_finds_what_sqlite_finds_page_by_page(pg, lite, limit, searchers):
    """Alice as a member and as a guest, Carol (in no room) likewise."""
    for q in QUERIES:
        for public, user in searchers:
            on_postgres = await every_page(pg, q, limit, public, user)
            assert on_postgres == await every_page(lite, q, limit, public, user), (q, user)


async def test_chinese_terms_of_one_two_and_three_characters(pg):
    assert contents(await every_page(pg, "截", 20)) == ["截图 服务 screenshot"]
    assert len(await every_page(pg, "会", 20)) == 2 + sum(1 for n in FILLER if n % 7 == 0)
    found = contents(await every_page(pg, "部署", 20))
    assert found[:10] == [f"部署 round {n}" for n in reversed(NEWEST)]
    assert found[10:] == [
        "服务器 部署 完成",
        "部署 thread reply",
        "team ops: 部署 plan",
        "Deploy window tonight 部署",
        "部署失败 on prod, rollback",
        "部署 finished on staging",
    ]
    assert contents(await every_page(pg, "新版本", 20)) == ["新版本发布 https://example.com/notes"]
    assert contents(await every_page(pg, "number 1547 会议室", 20)) == [
        "chatter number 1547 会议室"
    ]


async def test_mixed_scripts_phrases_and_exclusions(pg):
    assert contents(await every_page(pg, "deploy 部署", 20)) == ["Deploy window tonight 部署"]
    assert contents(await every_page(pg, '"release notes"', 20)) == [
        "the release notes are out @alice"
    ]
    assert contents(await every_page(pg, "部署 -失败 -round -staging", 20)) == [
        "服务器 部署 完成",
        "部署 thread reply",
        "team ops: 部署 plan",
        "Deploy window tonight 部署",
    ]
    assert contents(await every_page(pg, '服务 -"服务器"', 20)) == [
        "@Alice 看一下 服务",
        "服务 restarted, HTTPS://EXAMPLE.ORG up",
        "截图 服务 screenshot",
    ]


async def test_operators_combined(pg):
    assert contents(await every_page(pg, "from:wei in:ops has:link after:2026-08-01", 20)) == [
        "服务 restarted, HTTPS://EXAMPLE.ORG up"
    ]
    assert contents(await every_page(pg, "服务 has:image from:wei in:运维", 20)) == [
        "截图 服务 screenshot"
    ]
    assert contents(await every_page(pg, "is:pinned is:saved 部署 on:2026-11-20", 20)) == [
        "服务器 部署 完成"
    ]
    assert contents(await every_page(pg, "in:thread:1 部署", 20)) == [
        "部署 thread reply",
        "部署 finished on staging",
    ]
    assert contents(await every_page(pg, "@me before:2026-11-16", 20)) == [
        "the release notes are out @alice"
    ]


async def test_rooms_not_readable_never_appear(pg):
    everything = contents(await every_page(pg, "部署", 20))
    for hidden in ("secret in a room", "banned room", "archived room", "deleted later", "joined"):
        assert not any(hidden in text for text in everything)
    assert await every_page(pg, "in:secret 部署", 20) == []
    # Carol is a member of no room: public rooms only, and nothing at all as a guest.
    assert "team ops: 部署 plan" not in contents(await every_page(pg, "部署", 20, user=CAROL))
    assert len(await every_page(pg, "部署", 20, user=CAROL)) == len(everything) - 1
    assert await every_page(pg, "部署", 20, public=False, user=CAROL) == []


async def test_an_edit_and_a_deletion_are_searched_at_once(pg):
    await pg.execute("UPDATE messages SET content = '改成 服务' WHERE id = 1")
    await pg.execute("UPDATE messages SET is_deleted = 1 WHERE id = 2")
    found = await every_page(pg, "部署", 100)
    assert 1 not in found and 2 not in found and 3 in found
    assert await every_page(pg, "改成", 20) == [1]


async def test_a_rare_two_character_word_far_back_comes_from_the_bigram_index(pg_own):
    """Behind 30,000 newer messages (past the 20,000 rows the windows may read) the one
    message with 鼎盛 is still on the first page, and the index found it."""
    await load_old(
        pg_own,
        """INSERT INTO messages (id, room_id, sender_id, content, created_at, updated_at)
           SELECT n, 10, 2, 'later chatter ' || n, '2026-12-01T00:00:00Z', ''
           FROM generate_series(10000, 40000) n""",
        """INSERT INTO messages (id, room_id, sender_id, content, created_at, updated_at)
           VALUES (50, 10, 3, '公司鼎盛时期', '2026-11-01T00:00:00Z', '')""",
    )
    assert await first_page(pg_own, "鼎盛") == ([50], None)
    reader = postgres_sources.Reader(ALICE, parse_query("鼎盛"), Scope())
    bounds = {**reader.params, "before": 2**62, "low": 0, "size": 21}
    plan = await pg_own.execute_fetchall(f"EXPLAIN {reader.matches}", bounds)
    assert "messages_grams" in "\n".join(row[0] for row in plan)


async def test_bigrams_are_lower_cased_pairs_of_characters(pg):
    grams = await pg.raw.fetchval("SELECT chat_grams('Ab会议c')")
    assert grams == ["ab", "b会", "会议", "议c"]
    assert await pg.raw.fetchval("SELECT chat_grams('会')") == []
    assert len(await pg.raw.fetchval("SELECT chat_grams(repeat('会议x', 1700))")) == 5099


async def test_a_filter_reads_its_narrowest_source_past_the_window(pg_own):
    """Behind 20,500 newer messages of room ops by wei (more than the 20,000 candidates a
    page may read), the day, the link, the mention and bob's message are on the first
    page, complete: each read from its own source (the day's ids in the room, the
    index's links and @alice, bob's messages in the room), not the room's newest."""
    await load_old(
        pg_own,
        """INSERT INTO messages (id, room_id, sender_id, content, created_at, updated_at)
           SELECT n, 10, 3, '部署 later ' || n, '2026-12-01T00:00:00Z', ''
           FROM generate_series(10000, 30500) n""",
    )
    assert await first_page(pg_own, "in:ops on:2026-11-15") == ([7, 6], None)
    assert await first_page(pg_own, "from:wei in:ops has:link after:2026-08-01") == ([16], None)
    assert await first_page(pg_own, "in:ops @me before:2026-11-16") == ([7], None)
    assert await first_page(pg_own, "from:bob in:ops 部署 -staging") == ([17], None)


async def test_dates_are_the_ids_of_their_days_imported_messages_included(pg, monkeypatch):
    """An imported message keeps its older date at a higher id: the day's range holds
    it. A side of more than MOST_DAYS days is not narrowed (a bounded lookup)."""
    await pg.execute(
        """INSERT INTO messages (id, room_id, sender_id, content, created_at, updated_at)
           VALUES (5000, 10, 3, 'imported 部署', '2026-11-02T09:00:00Z', '')"""
    )
    assert await postgres_search.id_range(pg, "2026-11-02", "2026-11-03") == {
        "low": 1,
        "high": 5001,
    }
    assert await postgres_search.id_range(pg, "2026-11-15", "2026-11-16") == {
        "low": 6,
        "high": 16,
    }
    assert await postgres_search.id_range(pg, "2027-01-01", None) == {"low": 0, "high": 0}
    assert await first_page(pg, "on:2026-11-02 部署") == ([5000, 1], None)
    monkeypatch.setattr(postgres_search, "MOST_DAYS", 2)
    assert await postgres_search.id_range(pg, "2026-11-01", "2026-11-16") == {
        "low": 0,
        "high": 2**62,
    }
    assert await first_page(pg, "on:2026-11-02 部署") == ([5000, 1], None)


@pytest.mark.parametrize(
    "source, index",
    [
        ("saved", "saved_messages_pkey"),
        ("pinned", "pins_pkey"),
        ("image", "messages_images"),
        ("file", "messages_files"),
        ("room_sender", "messages_room_sender"),
        ("room", "messages_room"),
        ("sender", "messages_sender"),
        ("recent", "messages_pkey"),
    ],
)
async def test_each_source_walks_its_index_in_order(pg, source, index):
    """Each source's SQL can be answered by its index in the order asked for, no sort
    (sequential and bitmap scans off: the test's tables are too small for the planner
    to care which way it reads them)."""
    await pg.execute("SET enable_seqscan = off; SET enable_bitmapscan = off")
    params = {"user": 1, "room": 10, "sender": 3, "before": 2000, "low": 0, "size": 5}
    plan = await pg.execute_fetchall(f"EXPLAIN {postgres_sources.SOURCES[source]}", params)
    text = "\n".join(row[0] for row in plan)
    assert index in text and "Sort" not in text, text
