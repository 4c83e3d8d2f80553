"""Identity: register, login, refresh, /api/auth/me, and password guessing (429)."""

from __future__ import annotations

import asyncio
import sqlite3

import pytest

from chat.app import create_app
from chat.settings import Settings
from tests.helpers import assert_error, register
from tests.pgcluster import both_engines

PASSWORD = "correct horse"


async def login(client, username: str, password: str = PASSWORD):
    return await client.post("/api/auth/login", json={"username": username, "password": password})


async def test_register_answers_201_with_user_and_both_tokens(client):
    resp = await client.post(
        "/api/auth/register",
        json={"username": "alice", "password": PASSWORD, "display_name": "Alice Liddell"},
    )
    assert resp.status == 201
    body = await resp.json()
    assert set(body) == {"user", "access_token", "refresh_token", "token_type", "expires_in"}
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 3600
    assert body["user"] == {
        "id": body["user"]["id"],
        "username": "alice",
        "display_name": "Alice Liddell",
        "avatar_url": None,
        "is_admin": True,
        "is_guest": False,
    }


async def test_first_registered_user_is_admin_and_the_second_is_not(make_user):
    first = await make_user("first")
    second = await make_user("second")
    assert first.is_admin is True
    assert second.is_admin is False


async def test_display_name_defaults_to_the_username(client):
    resp = await client.post("/api/auth/register", json={"username": "plain", "password": PASSWORD})
    assert (await resp.json())["user"]["display_name"] == "plain"


async def test_a_long_display_name_is_cut_to_64_characters(client):
    resp = await client.post(
        "/api/auth/register",
        json={"username": "long", "password": PASSWORD, "display_name": "  " + "n" * 100},
    )
    assert (await resp.json())["user"]["display_name"] == "n" * 64


@pytest.mark.parametrize(
    "username", ["", "x" * 33, "has space", "émile", "semi;colon", "alice\n", 42, None, ["alice"]]
)
async def test_register_refuses_a_bad_username_with_400(client, username):
    resp = await client.post(
        "/api/auth/register", json={"username": username, "password": PASSWORD}
    )
    await assert_error(resp, 400, "identity")


@pytest.mark.parametrize("username", ["a", "x" * 32, "A.b_c-9"])
async def test_register_accepts_usernames_of_1_to_32_allowed_characters(client, username):
    await register(client, username)


@pytest.mark.parametrize("password", ["", "seven77", 12345678, None])
async def test_register_refuses_a_password_shorter_than_8_or_not_text(client, password):
    resp = await client.post("/api/auth/register", json={"username": "alice", "password": password})
    await assert_error(resp, 400, "identity")


async def test_register_refuses_a_display_name_that_is_not_text(client):
    resp = await client.post(
        "/api/auth/register", json={"username": "alice", "password": PASSWORD, "display_name": 7}
    )
    await assert_error(resp, 400, "identity")


async def test_register_refuses_a_body_that_is_not_a_json_object(client):
    resp = await client.post("/api/auth/register", data="[1, 2]")
    await assert_error(resp, 400, "identity")


@both_engines
async def test_usernames_are_unique_case_insensitively_with_409(client, make_user):
    await make_user("Alice")
    resp = await client.post("/api/auth/register", json={"username": "aLICE", "password": PASSWORD})
    await assert_error(resp, 409, "identity")


async def test_register_is_403_when_registration_is_disabled(aiohttp_client, tmp_path):
    closed = await aiohttp_client(
        create_app(Settings(data_dir=tmp_path / "closed", allow_registration=False))
    )
    resp = await closed.post("/api/auth/register", json={"username": "alice", "password": PASSWORD})
    await assert_error(resp, 403, "identity")


async def test_login_answers_the_same_body_as_register(client, alice):
    resp = await login(client, "ALICE")
    assert resp.status == 200
    body = await resp.json()
    assert body["user"]["id"] == alice.id
    assert body["user"]["username"] == "alice"
    me = await client.get(
        "/api/auth/me", headers={"Authorization": f"Bearer {body['access_token']}"}
    )
    assert (await me.json())["id"] == alice.id


async def test_passwords_are_stored_and_checked_at_the_full_scrypt_cost(
    client, settings, full_password_cost
):
    # The other in-process tests hash at a cheap factor (tests/conftest.py); this one
    # proves the real cost end to end.
    await register(client, "alice")
    with sqlite3.connect(settings.data_dir / "teahouse.db") as db:
        (stored,) = db.execute("SELECT password_hash FROM users").fetchone()
    assert stored.startswith("scrypt$16384$8$1$"), stored
    assert (await login(client, "alice")).status == 200
    await assert_error(await login(client, "alice", "wrong password"), 401, "identity")


async def test_unknown_user_and_wrong_password_get_the_same_401(client, alice):
    unknown = await assert_error(await login(client, "nobody"), 401, "identity")
    wrong = await assert_error(await login(client, "alice", "wrong password"), 401, "identity")
    assert unknown == wrong


@pytest.mark.parametrize("body", [{}, {"username": "alice"}, {"username": 1, "password": 2}])
async def test_login_without_text_credentials_is_401(client, alice, body):
    await assert_error(await client.post("/api/auth/login", json=body), 401, "identity")


async def test_repeated_failures_for_one_username_answer_429_even_with_the_right_password(
    client, alice
):
    for _ in range(5):
        await assert_error(await login(client, "alice", "wrong password"), 401, "identity")
    text = await assert_error(await login(client, "Alice"), 429, "identity")
    assert "seconds" in text
    assert (await login(client, "bob-is-unknown", "x" * 8)).status == 401


async def test_repeated_failures_from_one_address_answer_429_for_any_username(client, alice):
    for n in range(20):
        await assert_error(await login(client, f"guess{n}", "wrong password"), 401, "identity")
    await assert_error(await login(client, "alice"), 429, "identity")


async def test_a_successful_login_forgets_earlier_failures_of_that_username(client, alice):
    for _ in range(4):
        await login(client, "alice", "wrong password")
    assert (await login(client, "alice")).status == 200
    for _ in range(4):
        await login(client, "alice", "wrong password")
    assert (await login(client, "alice")).status == 200


async def test_refresh_gives_a_working_access_token(client, alice):
    resp = await client.post("/api/auth/refresh", json={"refresh_token": alice.refresh_token})
    assert resp.status == 200
    body = await resp.json()
    me = await client.get(
        "/api/auth/me", headers={"Authorization": f"Bearer {body['access_token']}"}
    )
    assert (await me.json())["username"] == "alice"


@pytest.mark.parametrize("token", [None, "", "garbage", "a.b.c"])
async def test_refresh_refuses_a_missing_or_garbage_token_with_401(client, alice, token):
    resp = await client.post("/api/auth/refresh", json={"refresh_token": token})
    await assert_error(resp, 401, "identity")


async def test_refresh_refuses_an_access_token_with_401(client, alice):
    resp = await client.post("/api/auth/refresh", json={"refresh_token": alice.token})
    await assert_error(resp, 401, "identity")


async def test_me_answers_the_caller(client, alice):
    resp = await client.get("/api/auth/me", headers=alice.headers)
    assert resp.status == 200
    assert await resp.json() == {
        "id": alice.id,
        "username": "alice",
        "display_name": "Alice Liddell",
        "avatar_url": None,
        "is_admin": False,
        "is_guest": False,
    }


async def test_me_without_a_token_is_401(client):
    await assert_error(await client.get("/api/auth/me"), 401, "identity")


async def test_patch_me_changes_display_name_and_avatar(client, alice):
    resp = await client.patch(
        "/api/auth/me",
        headers=alice.headers,
        json={"display_name": "  Alice L.  ", "avatar_url": "https://example.com/a.png"},
    )
    assert resp.status == 200
    body = await resp.json()
    assert body["display_name"] == "Alice L."
    assert body["avatar_url"] == "https://example.com/a.png"
    again = await (await client.get("/api/auth/me", headers=alice.headers)).json()
    assert again == body


async def test_patch_me_with_a_blank_display_name_falls_back_to_the_username(client, alice):
    resp = await client.patch("/api/auth/me", headers=alice.headers, json={"display_name": "  "})
    assert (await resp.json())["display_name"] == "alice"


@pytest.mark.parametrize(
    "body",
    [
        {"display_name": 5},
        {"avatar_url": "javascript:alert(1)"},
        {"avatar_url": ["x"]},
        {"password": "short", "old_password": PASSWORD},
    ],
)
async def test_patch_me_refuses_bad_fields_with_400(client, alice, body):
    resp = await client.patch("/api/auth/me", headers=alice.headers, json=body)
    await assert_error(resp, 400, "identity")


async def test_patch_me_with_a_wrong_old_password_is_400_and_changes_nothing(client, alice):
    for old in ("wrong password", None, 12345678, ["correct horse"]):
        resp = await client.patch(
            "/api/auth/me",
            headers=alice.headers,
            json={"password": "new password", "old_password": old},
        )
        await assert_error(resp, 400, "identity")
    assert (await login(client, "alice")).status == 200


@both_engines
async def test_after_a_password_change_only_the_new_password_and_tokens_work(client, alice):
    resp = await client.patch(
        "/api/auth/me",
        headers=alice.headers,
        json={"password": "new password", "old_password": PASSWORD},
    )
    assert resp.status == 200
    await assert_error(await login(client, "alice"), 401, "identity")
    fresh = await login(client, "alice", "new password")
    assert fresh.status == 200
    old = await client.post("/api/auth/refresh", json={"refresh_token": alice.refresh_token})
    await assert_error(old, 401, "identity")
    new = await client.post(
        "/api/auth/refresh", json={"refresh_token": (await fresh.json())["refresh_token"]}
    )
    assert new.status == 200


async def test_users_search_finds_people_by_name(client, alice, bob):
    resp = await client.get("/api/users/?q=lidd", headers=bob.headers)
    assert [user["username"] for user in await resp.json()] == ["alice"]


async def test_parallel_guesses_cannot_slip_past_the_limit(client, alice):
    answers = await asyncio.gather(*(login(client, "alice", f"guess {n}") for n in range(12)))
    statuses = sorted(resp.status for resp in answers)
    assert statuses.count(401) <= 5, statuses
    assert set(statuses) <= {401, 429}
