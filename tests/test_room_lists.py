"""Room lists in every dialect: never silently truncated, the caller's rooms always there."""

import pytest

from chat.core.conversation import rooms
from chat.db import users as user_sql
from tests.helpers import assert_error, make_room

LISTS = {
    "channels": "/api/chat/rooms/",
    "simple": "/api/chat/rooms",
    "v1": "/api/v1/chatroom/rooms",
}


def ids_of(dialect: str, listed: list[dict]) -> set:
    return {room["id"] for room in listed}


def ref(dialect: str, room) -> object:
    return room.slug if dialect == "simple" else room.id


@pytest.fixture
async def crowded(client, core, alice, bob):
    """bob's 120 public rooms; alice is in the 115th and in her own private room."""
    owner = await user_sql.user_by_username(core.db.reader, "bob")
    made = [await rooms.create_room(core, owner, f"public {n}") for n in range(120)]
    private = await make_room(client, alice, name="mine", room_type="private")
    await rooms.join(core, await user_sql.user_by_username(core.db.reader, "alice"), made[114].id)
    return made, await rooms.find_room(core.db.reader, private["id"])


@pytest.mark.parametrize("dialect", sorted(LISTS))
async def test_a_list_without_parameters_holds_every_room_of_the_caller(
    client, alice, crowded, dialect
):
    made, private = crowded
    resp = await client.get(LISTS[dialect], headers=alice.headers)
    assert resp.status == 200
    listed = ids_of(dialect, await resp.json())
    assert ref(dialect, made[114]) in listed and ref(dialect, private) in listed
    # 100 public rooms not joined, besides her own three (global among the public ones).
    assert len(listed) == 2 + 100


@pytest.mark.parametrize("dialect", ["channels", "simple"])
async def test_public_rooms_not_joined_are_paged_explicitly(client, alice, crowded, dialect):
    made, private = crowded
    seen = set()
    for offset in (0, 50, 100):
        resp = await client.get(
            f"{LISTS[dialect]}?public_limit=50&public_offset={offset}", headers=alice.headers
        )
        page = ids_of(dialect, await resp.json())
        assert ref(dialect, private) in page and ref(dialect, made[114]) in page
        seen |= page
    assert {ref(dialect, room) for room in made} <= seen


async def test_v1_honours_a_limit_of_a_thousand(client, alice, crowded):
    made, private = crowded
    resp = await client.get(f"{LISTS['v1']}?limit=1000", headers=alice.headers)
    listed = [room["id"] for room in await resp.json()]
    assert len(listed) == 122 == len(set(listed))
    # Own rooms come first, so paging with skip walks over them before the public ones.
    assert set(listed[:2]) == {made[114].id, private.id}
    pages = []
    for skip in range(0, 122, 40):
        resp = await client.get(f"{LISTS['v1']}?skip={skip}&limit=40", headers=alice.headers)
        pages += [room["id"] for room in await resp.json()]
    assert pages == listed


@pytest.mark.parametrize("query", ["public_limit=1001", "public_limit=x", "public_offset=-1"])
async def test_bad_paging_parameters_are_a_400(client, alice, query):
    resp = await client.get(f"/api/chat/rooms/?{query}", headers=alice.headers)
    assert "public_" in await assert_error(resp, 400, "channels")
