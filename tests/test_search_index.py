"""Search indexing after commit: in batches, findable at once (the unindexed tail is
scanned), in the index within a second, and complete again after a crash."""

from __future__ import annotations

import asyncio
import sqlite3
import time

import aiohttp
import pytest

from chat.db.search_index import index_next_batch
from chat.settings import Settings
from tests.helpers import make_room, post_message
from tests.serverproc import ServerProcess, register_at


def indexed_ids(path, term: str) -> list[int]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return [
            row[0]
            for row in conn.execute(
                "SELECT rowid FROM messages_fts WHERE messages_fts MATCH ?", (f'"{term}"',)
            )
        ]
    finally:
        conn.close()


async def search(client, person, term: str) -> list[str]:
    resp = await client.get("/api/chat/search/", params={"q": term}, headers=person.headers)
    assert resp.status == 200, await resp.text()
    return [hit["content"] for hit in (await resp.json())["results"]]


async def test_a_message_is_in_the_index_within_a_second(client, core, alice):
    room = await make_room(client, alice, name="indexed")
    message = await post_message(client, alice, room, "the quarterly figures")
    assert await search(client, alice, "quarterly") == ["the quarterly figures"]  # at once
    deadline = time.monotonic() + 1.0
    while message["id"] not in indexed_ids(core.db.path, "quarterly"):
        assert time.monotonic() < deadline, "not indexed within a second"
        await asyncio.sleep(0.05)


async def test_a_steady_stream_is_indexed_in_one_transaction_per_run(client, core, alice):
    """A run indexes what is there and stops, unless its batch was full: messages that
    arrive meanwhile wait for the next run instead of costing a transaction each."""
    room = await make_room(client, alice, name="stream")
    await core.db.indexer.close()  # this test runs the batches itself
    core.db.indexer.poke = lambda: None
    for n in range(3):
        await post_message(client, alice, room, f"steady {n}")
    assert await core.db.write(index_next_batch) is False  # all three, one transaction
    assert len(indexed_ids(core.db.path, "steady")) == 3
    assert await core.db.write(index_next_batch) is False


@pytest.fixture
def settings(tmp_path):
    return Settings(data_dir=tmp_path / "data", heartbeat_seconds=5.0, search_index_delay=0.5)


async def test_edits_and_deletions_before_indexing_are_indexed_as_they_end_up(client, core, alice):
    room = await make_room(client, alice, name="late")
    edited = await post_message(client, alice, room, "first draft wording")
    deleted = await post_message(client, alice, room, "regrettable remark")
    resp = await client.patch(
        f"/api/chat/messages/{edited['id']}/",
        json={"content": "final wording"},
        headers=alice.headers,
    )
    assert resp.status == 200, await resp.text()
    resp = await client.delete(f"/api/chat/messages/{deleted['id']}/", headers=alice.headers)
    assert resp.status in (200, 204)
    assert await search(client, alice, "final wording") == ["final wording"]
    assert await search(client, alice, "regrettable") == []
    await asyncio.sleep(1.2)
    assert indexed_ids(core.db.path, "final") == [edited["id"]]
    assert indexed_ids(core.db.path, "draft") == []
    assert indexed_ids(core.db.path, "regrettable") == []
    # Now indexed: a later edit goes through the update trigger.
    await client.patch(
        f"/api/chat/messages/{edited['id']}/", json={"content": "third take"}, headers=alice.headers
    )
    assert indexed_ids(core.db.path, "final") == []
    assert indexed_ids(core.db.path, "third") == [edited["id"]]
    assert await search(client, alice, "third take") == ["third take"]


@pytest.mark.slow
async def test_a_crash_before_indexing_loses_nothing_from_search(tmp_path):
    data = tmp_path / "data"
    server = ServerProcess(data, CHAT_SEARCH_INDEX_DELAY="600").start()
    try:
        async with aiohttp.ClientSession() as http:
            token = (await register_at(http, server.base, "alice"))["access_token"]
            headers = {"Authorization": f"Bearer {token}"}
            async with http.post(
                f"{server.base}/api/chat/rooms/global/messages/",
                json={"content": "remember the xylophone"},
                headers=headers,
            ) as resp:
                assert resp.status == 201
                message_id = (await resp.json())["id"]
            assert indexed_ids(data / "teahouse.db", "xylophone") == []  # acknowledged, not indexed
            server.kill()
            server = ServerProcess(data).start()
            deadline = time.monotonic() + 1.0
            while message_id not in indexed_ids(data / "teahouse.db", "xylophone"):
                assert time.monotonic() < deadline, "not indexed within a second of the restart"
                await asyncio.sleep(0.05)
            async with http.get(
                f"{server.base}/api/chat/search/", params={"q": "xylophone"}, headers=headers
            ) as resp:
                hits = (await resp.json())["results"]
            assert [hit["id"] for hit in hits] == [message_id]
    finally:
        server.stop()
