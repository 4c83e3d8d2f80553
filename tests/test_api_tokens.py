"""Personal API tokens: created once-shown, stored hashed, accepted wherever a JWT is,
revocable (closing their sockets), managed only from a login; and minted by the CLI."""

from __future__ import annotations

import hashlib
import sqlite3

import pytest

from chat.core import Outcome
from tests.helpers import Person, assert_error, closed_with, connect, next_frame, post_message
from tests.pgcluster import both_engines
from tests.serverproc import ServerProcess, create_database, run_cli


async def create(client, person: Person, **body) -> dict:
    resp = await client.post(
        "/api/chat/tokens/", json={"name": "ci", **body}, headers=person.headers
    )
    assert resp.status == 201, await resp.text()
    return await resp.json()


def as_token(person: Person, token: str) -> Person:
    return Person(person.id, person.username, token, "", person.is_admin)


@both_engines
async def test_a_token_is_shown_once_stored_hashed_and_listed_without_its_secret(
    client, core, alice
):
    made = await create(client, alice, name="  deploy script  ")
    assert made["token"].startswith("th_") and len(made["token"]) == 43
    assert made["name"] == "deploy script" and made["hint"] == made["token"][:7]
    assert made["expires_at"] is None and made["last_used_at"] is None
    listed = await (await client.get("/api/chat/tokens/", headers=alice.headers)).json()
    assert listed == [{key: value for key, value in made.items() if key != "token"}]
    row = await core.db.fetch_one("SELECT secret_hash FROM api_tokens")
    assert row["secret_hash"] == hashlib.sha256(made["token"].encode()).hexdigest()
    rows = await core.db.fetch_all("SELECT * FROM api_tokens")
    assert made["token"] not in repr([tuple(row) for row in rows])
    if core.db.path:  # SQLite: nowhere in the whole file either
        dump = "\n".join(sqlite3.connect(core.db.path).iterdump())
        assert made["token"] not in dump


async def test_a_token_works_wherever_a_jwt_does(client, alice):
    token = (await create(client, alice))["token"]
    script = as_token(alice, token)
    me = await client.get("/api/auth/me", headers=script.headers)
    assert (await me.json())["username"] == "alice"
    assert (await client.get(f"/api/chat/rooms/?token={token}")).status == 200
    assert (await client.get("/api/v1/chatroom/rooms", headers=script.headers)).status == 200
    await post_message(client, script, {"id": 1}, "from a script")
    ws = await connect(client, script, {"id": 1})
    await ws.close()
    ws = await connect(client, script, {"id": 1}, "v1")
    await ws.close()


async def test_revoking_a_token_stops_it_and_closes_its_sockets_only(client, alice):
    made = await create(client, alice)
    script = as_token(alice, made["token"])
    script_ws = await connect(client, script, {"id": 1})
    page_ws = await connect(client, alice, {"id": 1})
    resp = await client.delete(f"/api/chat/tokens/{made['id']}/", headers=alice.headers)
    assert resp.status == 204
    await closed_with(script_ws, 4001)
    await assert_error(await client.get("/api/auth/me", headers=script.headers), 401, "identity")
    await page_ws.send_json({"type": "chat_message", "content": "still here"})
    await next_frame(page_ws, "chat_message")
    await page_ws.close()
    assert await (await client.get("/api/chat/tokens/", headers=alice.headers)).json() == []


async def test_only_the_owner_sees_and_revokes_a_token(client, alice, bob):
    made = await create(client, alice)
    assert await (await client.get("/api/chat/tokens/", headers=bob.headers)).json() == []
    for ref in (made["id"], "x", "²", "9" * 30):
        await assert_error(
            await client.delete(f"/api/chat/tokens/{ref}/", headers=bob.headers), 404, "channels"
        )
    assert (
        await client.get("/api/auth/me", headers={"Authorization": f"Bearer {made['token']}"})
    ).status == 200


async def test_an_api_token_cannot_manage_api_tokens(client, alice):
    made = await create(client, alice)
    script = as_token(alice, made["token"])
    await assert_error(
        await client.post("/api/chat/tokens/", json={"name": "more"}, headers=script.headers),
        403,
        "channels",
    )
    await assert_error(
        await client.get("/api/chat/tokens/", headers=script.headers), 403, "channels"
    )
    await assert_error(
        await client.delete(f"/api/chat/tokens/{made['id']}/", headers=script.headers),
        403,
        "channels",
    )


@pytest.mark.parametrize(
    "body",
    [
        {"name": ""},
        {"name": 5},
        {"name": "x", "expires_in_days": 0},
        {"name": "x", "expires_in_days": 2.5},
        {"name": "x", "expires_in_days": True},
        {"name": "x", "expires_in_days": 100000},
    ],
)
async def test_bad_token_fields_are_400(client, alice, body):
    resp = await client.post("/api/chat/tokens/", json=body, headers=alice.headers)
    await assert_error(resp, 400, "channels")


@both_engines
async def test_last_use_is_kept_but_written_at_most_once_a_minute(client, core, alice):
    made = await create(client, alice)
    script = as_token(alice, made["token"])
    await client.get("/api/auth/me", headers=script.headers)
    first = (await core.db.fetch_one("SELECT last_used_at FROM api_tokens"))["last_used_at"]
    assert first is not None
    await client.get("/api/auth/me", headers=script.headers)
    again = (await core.db.fetch_one("SELECT last_used_at FROM api_tokens"))["last_used_at"]
    assert again == first
    listed = await (await client.get("/api/chat/tokens/", headers=alice.headers)).json()
    assert listed[0]["last_used_at"] == first


async def test_an_expired_token_is_refused(client, core, alice):
    made = await create(client, alice, expires_in_days=1)
    assert made["expires_at"].endswith("Z")

    async def expire(conn):
        await conn.execute("UPDATE api_tokens SET expires_at = 1")
        return Outcome(None)

    await core.commit(expire)
    await assert_error(
        await client.get("/api/auth/me", headers={"Authorization": f"Bearer {made['token']}"}),
        401,
        "identity",
    )


async def test_a_password_change_leaves_api_tokens_working(client, alice):
    made = await create(client, alice)
    resp = await client.patch(
        "/api/auth/me",
        headers=alice.headers,
        json={"password": "new password", "old_password": "correct horse"},
    )
    assert resp.status == 200
    assert (
        await client.get("/api/auth/me", headers={"Authorization": f"Bearer {made['token']}"})
    ).status == 200


async def test_a_user_holds_at_most_50_tokens(client, alice):
    for n in range(50):
        await create(client, alice, name=f"t{n}")
    resp = await client.post("/api/chat/tokens/", json={"name": "one more"}, headers=alice.headers)
    await assert_error(resp, 409, "channels")


def test_the_cli_mints_a_named_expiring_token_that_the_server_accepts(tmp_path):
    import json
    import urllib.request

    data = tmp_path / "data"
    create_database(data)
    assert run_cli(data, "create-user", "ann", "--password", "correct horse").returncode == 0
    done = run_cli(data, "token", "ann", "--days", "7", "--label", "nightly")
    assert done.returncode == 0, done.stderr
    token = done.stdout.strip()
    assert token.startswith("th_")
    assert run_cli(data, "token", "ann", "--days", "0").returncode == 1
    with ServerProcess(data) as server:
        request = urllib.request.Request(
            f"http://127.0.0.1:{server.port}/api/auth/me",
            headers={"Authorization": f"Bearer {token}"},
        )
        with urllib.request.urlopen(request, timeout=10) as resp:
            assert json.load(resp)["username"] == "ann"
    row = (
        sqlite3.connect(data / "teahouse.db")
        .execute("SELECT name, expires_at IS NOT NULL FROM api_tokens")
        .fetchone()
    )
    assert row == ("nightly", 1)
