"""The v1 REST surface (seed 000): shapes key for key, permissions, validation."""

import pytest

from tests.helpers import assert_error

ROOM_KEYS = {
    "id",
    "name",
    "description",
    "is_public",
    "is_official",
    "created_by",
    "created_at",
    "updated_at",
    "creator",
    "member_count",
    "is_member",
    "is_admin",
}
USER_KEYS = {"id", "username", "avatar_url"}
MEMBER_KEYS = {"id", "room_id", "user_id", "is_admin", "joined_at", "last_read_at", "user"}
MESSAGE_KEYS = {"id", "room_id", "user_id", "content", "is_system", "created_at", "user"}
ROOMS = "/api/v1/chatroom/rooms"


async def create(client, person, **body):
    resp = await client.post(ROOMS, json={"name": "我的聊天室", **body}, headers=person.headers)
    assert resp.status == 200, await resp.text()
    return await resp.json()


async def test_creating_a_room_answers_the_seed_room_object(client, alice):
    room = await create(
        client, alice, description="这是一个聊天室描述", is_public=True, is_official=False
    )
    assert set(room) == ROOM_KEYS
    assert set(room["creator"]) == USER_KEYS
    assert room["name"] == "我的聊天室" and room["description"] == "这是一个聊天室描述"
    assert room["created_by"] == alice.id == room["creator"]["id"]
    assert (room["is_public"], room["is_official"]) == (True, False)
    assert (room["member_count"], room["is_member"], room["is_admin"]) == (1, True, True)


async def test_is_public_defaults_to_true_and_false_makes_a_private_room(client, alice):
    assert (await create(client, alice))["is_public"] is True
    assert (await create(client, alice, is_public=False))["is_public"] is False


async def test_only_site_admins_create_official_rooms(client, admin, alice):
    resp = await client.post(
        ROOMS, json={"name": "news", "is_official": True}, headers=alice.headers
    )
    await assert_error(resp, 403, "v1")
    assert (await create(client, admin, is_official=True))["is_official"] is True


@pytest.mark.parametrize(
    "body, field",
    [
        ({}, "name"),
        ({"name": ""}, "name"),
        ({"name": "x" * 101}, "name"),
        ({"name": 5}, "name"),
        ({"name": "ok", "description": "d" * 501}, "description"),
        ({"name": "ok", "is_public": "yes"}, "is_public"),
        ({"name": "ok", "is_official": "no"}, "is_official"),
    ],
)
async def test_invalid_room_fields_are_named_in_the_detail(client, alice, body, field):
    resp = await client.post(ROOMS, json=body, headers=alice.headers)
    assert field in await assert_error(resp, 400, "v1")


async def test_a_body_that_is_not_json_is_a_v1_400(client, alice):
    resp = await client.post(ROOMS, data="name=x", headers=alice.headers)
    await assert_error(resp, 400, "v1")


async def test_room_list_shows_public_rooms_and_the_callers_private_ones(client, alice, bob):
    public = await create(client, alice, name="公开")
    private = await create(client, alice, name="私密", is_public=False)
    resp = await client.get(ROOMS, headers=bob.headers)
    assert resp.status == 200
    listed = await resp.json()
    assert all(set(room) == ROOM_KEYS for room in listed)
    ids = [room["id"] for room in listed]
    assert public["id"] in ids and private["id"] not in ids
    resp = await client.get(ROOMS, headers=alice.headers)
    mine = {room["id"]: room for room in await resp.json()}
    assert mine[private["id"]]["is_member"] and mine[private["id"]]["is_admin"]
    seen_by_bob = next(room for room in listed if room["id"] == public["id"])
    assert (seen_by_bob["is_member"], seen_by_bob["is_admin"]) == (False, False)


async def test_skip_and_limit_page_the_room_list(client, alice):
    for n in range(3):
        await create(client, alice, name=f"r{n}")
    everything = await (await client.get(ROOMS, headers=alice.headers)).json()
    page = await (await client.get(f"{ROOMS}?skip=1&limit=2", headers=alice.headers)).json()
    assert [r["id"] for r in page] == [r["id"] for r in everything[1:3]]


@pytest.mark.parametrize(
    "query, field",
    [
        ("skip=-1", "skip"),
        ("skip=a", "skip"),
        ("limit=0", "limit"),
        ("limit=x", "limit"),
        ("limit=1001", "limit"),
    ],
)
async def test_bad_skip_or_limit_is_a_400_naming_the_parameter(client, alice, query, field):
    resp = await client.get(f"{ROOMS}?{query}", headers=alice.headers)
    assert field in await assert_error(resp, 400, "v1")


async def test_room_detail_has_members_and_latest_messages_as_the_seed(client, alice, bob):
    room = await create(client, alice)
    await client.post(f"{ROOMS}/{room['id']}/join", headers=bob.headers)
    resp = await client.get(f"{ROOMS}/{room['id']}", headers=alice.headers)
    assert resp.status == 200
    detail = await resp.json()
    assert set(detail) == ROOM_KEYS | {"members", "latest_messages"}
    assert detail["member_count"] == 2
    assert [m["user_id"] for m in detail["members"]] == [alice.id, bob.id]
    for member in detail["members"]:
        assert set(member) == MEMBER_KEYS and set(member["user"]) == USER_KEYS
        assert member["room_id"] == room["id"]
    assert [m["is_admin"] for m in detail["members"]] == [True, False]
    joined = detail["latest_messages"][-1]
    assert set(joined) == MESSAGE_KEYS and set(joined["user"]) == USER_KEYS
    assert (joined["user_id"], joined["is_system"]) == (bob.id, True)


async def test_room_detail_accepts_the_slug(client, alice):
    resp = await client.get(f"{ROOMS}/global", headers=alice.headers)
    assert resp.status == 200
    assert (await resp.json())["is_official"] is True


async def test_non_member_gets_403_for_a_private_room_and_404_for_none(client, alice, bob):
    private = await create(client, alice, is_public=False)
    await assert_error(await client.get(f"{ROOMS}/{private['id']}", headers=bob.headers), 403, "v1")
    await assert_error(await client.get(f"{ROOMS}/99999", headers=bob.headers), 404, "v1")


async def test_join_and_leave_answer_the_seed_messages(client, alice, bob):
    room = await create(client, alice)
    headers = {**bob.headers, "Accept-Language": "zh-CN"}
    resp = await client.post(f"{ROOMS}/{room['id']}/join", headers=headers)
    assert (resp.status, await resp.json()) == (200, {"message": "已成功加入聊天室"})
    resp = await client.post(f"{ROOMS}/{room['id']}/join", headers=headers)
    assert resp.status == 200
    resp = await client.post(f"{ROOMS}/{room['id']}/leave", headers=headers)
    assert (resp.status, await resp.json()) == (200, {"message": "已成功离开聊天室"})
    await assert_error(await client.post(f"{ROOMS}/{room['id']}/leave", headers=headers), 400, "v1")


async def test_joining_a_private_room_without_invitation_is_403(client, alice, bob):
    private = await create(client, alice, is_public=False)
    await assert_error(
        await client.post(f"{ROOMS}/{private['id']}/join", headers=bob.headers), 403, "v1"
    )


async def test_only_creator_room_admin_or_site_admin_delete_a_room(client, admin, alice, bob):
    room = await create(client, alice)
    await client.post(f"{ROOMS}/{room['id']}/join", headers=bob.headers)
    await assert_error(await client.delete(f"{ROOMS}/{room['id']}", headers=bob.headers), 403, "v1")
    resp = await client.delete(
        f"{ROOMS}/{room['id']}", headers={**alice.headers, "Accept-Language": "zh"}
    )
    assert (resp.status, await resp.json()) == (200, {"message": "聊天室已成功删除"})
    await assert_error(await client.get(f"{ROOMS}/{room['id']}", headers=alice.headers), 404, "v1")
    other = await create(client, alice, name="second")
    assert (await client.delete(f"{ROOMS}/{other['id']}", headers=admin.headers)).status == 200


async def test_v1_needs_a_token(client):
    await assert_error(await client.get(ROOMS), 401, "v1")
    await assert_error(
        await client.get(f"{ROOMS}/1", headers={"Authorization": "Bearer x.y.z"}), 401, "v1"
    )
