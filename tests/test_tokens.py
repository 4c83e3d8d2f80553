"""Access tokens: forged ones are 401 on REST and close 4001 on sockets; tokens minted
by another system with our secret are accepted and provision their user."""

from __future__ import annotations

import base64
import json
import time

import jwt
import pytest

from chat.keys import core_key
from tests.helpers import assert_error, closed_with, next_frame
from tests.pgcluster import both_engines


def claims(**changes) -> dict:
    now = int(time.time())
    base = {"sub": "1", "username": "admin", "type": "access", "iat": now, "exp": now + 600}
    base.update(changes)
    return {key: value for key, value in base.items() if value is not None}


def unsigned(payload: dict) -> str:
    def part(value: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(payload)}."


FORGERIES = {
    "alg none": lambda secret: unsigned(claims()),
    "alg none with a signature": lambda secret: unsigned(claims()) + "c2ln",
    "wrong key": lambda secret: jwt.encode(
        claims(), "another secret of 32 bytes or more!", algorithm="HS256"
    ),
    "HS512 with our key": lambda secret: jwt.encode(claims(), secret, algorithm="HS512"),
    "expired": lambda secret: jwt.encode(
        claims(exp=int(time.time()) - 60), secret, algorithm="HS256"
    ),
    "no exp": lambda secret: jwt.encode(claims(exp=None), secret, algorithm="HS256"),
    "no sub": lambda secret: jwt.encode(claims(sub=None), secret, algorithm="HS256"),
    "sub not a number": lambda secret: jwt.encode(claims(sub="admin"), secret, algorithm="HS256"),
    "sub too large": lambda secret: jwt.encode(claims(sub="9" * 30), secret, algorithm="HS256"),
    "sub zero": lambda secret: jwt.encode(claims(sub="0"), secret, algorithm="HS256"),
    "sub a unicode digit": lambda secret: jwt.encode(claims(sub="²"), secret, algorithm="HS256"),
    "no type": lambda secret: jwt.encode(claims(type=None), secret, algorithm="HS256"),
    "refresh as access": lambda secret: jwt.encode(
        claims(type="refresh", ver=0), secret, algorithm="HS256"
    ),
    "garbage": lambda secret: "not-a-token",
    "three garbage parts": lambda secret: "abc.def.ghi",
}


@pytest.fixture
def secret(core) -> str:
    return core.secret


@pytest.mark.parametrize("name", FORGERIES)
async def test_a_forged_token_is_401_on_rest(client, admin, secret, name):
    token = FORGERIES[name](secret)
    resp = await client.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"})
    await assert_error(resp, 401, "identity")
    resp = await client.get(f"/api/chat/rooms/?token={token}")
    await assert_error(resp, 401, "channels")


@pytest.mark.parametrize("name", FORGERIES)
async def test_a_forged_token_closes_the_socket_with_4001(client, admin, secret, name):
    ws = await client.ws_connect(f"/ws/chat/global/?token={FORGERIES[name](secret)}")
    await closed_with(ws, 4001)


async def test_a_missing_token_is_401_on_rest_and_4001_on_a_socket(client, admin):
    await assert_error(await client.get("/api/auth/me"), 401, "identity")
    await assert_error(
        await client.get("/api/auth/me", headers={"Authorization": "Bearer "}), 401, "identity"
    )
    ws = await client.ws_connect("/ws/chat/global/")
    await closed_with(ws, 4001)


async def test_a_token_of_ours_opens_a_socket_and_a_bearer_header_works_too(client, admin):
    ws = await client.ws_connect(f"/ws/chat/global/?token={admin.token}")
    hello = await next_frame(ws, "connection_established")
    assert hello["user"]["id"] == admin.id
    await ws.close()
    ws = await client.ws_connect("/ws/chat/global/", headers=admin.headers)
    await next_frame(ws, "connection_established")
    await ws.close()


@both_engines
async def test_an_externally_minted_token_provisions_its_user(client, secret):
    token = jwt.encode(claims(sub="4242", username="ext"), secret, algorithm="HS256")
    headers = {"Authorization": f"Bearer {token}"}
    resp = await client.get("/api/auth/me", headers=headers)
    assert resp.status == 200
    assert await resp.json() == {
        "id": 4242,
        "username": "ext",
        "display_name": "ext",
        "avatar_url": None,
        "is_admin": False,
        "is_guest": False,
    }
    again = await client.get("/api/auth/me", headers=headers)
    assert (await again.json())["id"] == 4242
    ws = await client.ws_connect(f"/ws/chat/global/?token={token}")
    assert (await next_frame(ws, "connection_established"))["user"]["id"] == 4242
    await ws.close()


async def test_a_provisioned_user_cannot_log_in_with_any_password(client, secret):
    token = jwt.encode(claims(sub="4242", username="ext"), secret, algorithm="HS256")
    await client.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"})
    resp = await client.post("/api/auth/login", json={"username": "ext", "password": "x" * 8})
    await assert_error(resp, 401, "identity")


async def test_a_provisioned_username_that_is_taken_gets_a_suffix(client, alice, secret):
    token = jwt.encode(claims(sub="77", username="alice"), secret, algorithm="HS256")
    resp = await client.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert (await resp.json())["username"] == "alice_77"


async def test_a_provisioned_token_without_a_valid_username_gets_a_generated_one(client, secret):
    token = jwt.encode(claims(sub="78", username="no spaces allowed"), secret, algorithm="HS256")
    resp = await client.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert (await resp.json())["username"] == "user78"


async def test_the_app_secret_is_kept_in_the_data_dir_with_mode_0600(client, settings):
    assert settings.secret_path.read_text().strip() == client.server.app[core_key].secret
    assert settings.secret_path.stat().st_mode & 0o777 == 0o600
