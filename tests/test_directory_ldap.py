"""Signing in with LDAP against a real OpenLDAP slapd (tests/ldapserver.py)."""

from __future__ import annotations

import asyncio
import socket
import time

import ldap3
import pytest

from chat.app import create_app
from chat.core.people import directory_recheck
from chat.keys import core_key
from chat.settings import Settings
from chat.signin_settings import parse_ldap
from tests.audit_helpers import rows_soon
from tests.helpers import Person, assert_error, closed_with, connect, make_room, register
from tests.ldapserver import PEOPLE, add_person, ldap_env, remove_person


def ldap_settings(tmp_path, url: str, local_login: bool = True, **env) -> Settings:
    return Settings(
        data_dir=tmp_path / "data",
        heartbeat_seconds=5.0,
        ldap=parse_ldap(ldap_env(url, **env)),
        local_login=local_login,
    )


@pytest.fixture
async def client(aiohttp_client, tmp_path, slapd):
    return await aiohttp_client(create_app(ldap_settings(tmp_path, slapd.url)))


async def login(client, username: str, password: str):
    return await client.post("/api/auth/login", json={"username": username, "password": password})


async def signed_in(client, username: str, password: str) -> Person:
    resp = await login(client, username, password)
    assert resp.status == 200, await resp.text()
    body = await resp.json()
    return Person(
        body["user"]["id"],
        body["user"]["username"],
        body["access_token"],
        body["refresh_token"],
        body["user"]["is_admin"],
    )


async def test_directory_password_creates_the_user_once_and_signs_in(client):
    first = await signed_in(client, "jane", "jane-password")
    me = await (await client.get("/api/auth/me", headers=first.headers)).json()
    assert (me["username"], me["display_name"], me["is_admin"]) == ("jane", "Jane Doe", True)
    again = await signed_in(client, "JANE", "jane-password")
    assert again.id == first.id


async def test_wrong_directory_password_is_refused_and_throttled(client):
    for _ in range(5):
        await assert_error(await login(client, "jane", "wrong-password"), 401, "identity")
    await assert_error(await login(client, "jane", "jane-password"), 429, "identity")


async def test_an_empty_password_never_reaches_the_directory_as_an_anonymous_bind(client):
    await assert_error(await login(client, "jane", ""), 401, "identity")


async def test_admin_group_members_are_site_admins_and_others_are_not(client, slapd):
    await signed_in(client, "jane", "jane-password")  # the first user of a server
    ken = await signed_in(client, "ken", "ken-password")
    assert ken.is_admin
    add_person(slapd, "carl", "carl-password")
    try:
        carl = await signed_in(client, "carl", "carl-password")
        assert not carl.is_admin
        with slapd.admin() as conn:
            from tests.ldapserver import ADMIN_GROUP

            conn.modify(ADMIN_GROUP, {"member": [(ldap3.MODIFY_ADD, [f"uid=carl,{PEOPLE}"])]})
        assert (await signed_in(client, "carl", "carl-password")).is_admin
        with slapd.admin() as conn:
            conn.modify(ADMIN_GROUP, {"member": [(ldap3.MODIFY_DELETE, [f"uid=carl,{PEOPLE}"])]})
        assert not (await signed_in(client, "carl", "carl-password")).is_admin
        changes = await rows_soon(client.server.app[core_key].db, 2, "site_role_changed")
        assert [(actor, target, detail["role"]) for _, actor, target, detail in changes] == [
            (None, "carl", "admin"),
            (None, "carl", "member"),
        ]
    finally:
        remove_person(slapd, "carl")


async def test_users_outside_the_allowed_group_and_disabled_users_cannot_sign_in(client):
    text = await assert_error(await login(client, "olga", "olga-password"), 401, "identity")
    assert text == "Incorrect username or password"
    await assert_error(await login(client, "dave", "dave-password"), 401, "identity")


async def test_filter_characters_in_a_username_are_escaped(client):
    await assert_error(await login(client, "j*", "jane-password"), 401, "identity")
    await assert_error(await login(client, "*)(uid=*", "jane-password"), 401, "identity")
    tricky = await signed_in(client, "tricky*", "tricky-password")
    assert tricky.username == "tricky"


async def test_a_local_account_with_the_same_name_is_not_taken_over_until_an_admin_links_it(client):
    admin = await register(client, "root")
    alice = await register(client, "alice", password="local-password")
    text = await assert_error(await login(client, "alice", "alice-directory"), 403, "identity")
    assert "ask an administrator to link it" in text
    assert (await signed_in(client, "alice", "local-password")).id == alice.id
    link = {"username": "alice", "provider": "ldap", "external_name": "alice"}
    resp = await client.post("/api/admin/identity-links", json=link, headers=alice.headers)
    await assert_error(resp, 403, "identity")
    resp = await client.post("/api/admin/identity-links", json=link, headers=admin.headers)
    assert resp.status == 201, await resp.text()
    linked = await signed_in(client, "alice", "alice-directory")
    assert linked.id == alice.id
    resp = await client.post("/api/admin/identity-links", json=link, headers=admin.headers)
    await assert_error(resp, 409, "identity")
    resp = await client.post(
        "/api/admin/identity-links", json={**link, "provider": "nope"}, headers=admin.headers
    )
    await assert_error(resp, 404, "identity")


async def test_a_removed_user_is_disabled_at_the_recheck_and_their_sockets_close(client, slapd):
    core = client.server.app[core_key]
    add_person(slapd, "rita", "rita-password")
    rita = await signed_in(client, "rita", "rita-password")
    ws = await connect(client, rita, await make_room(client, rita))
    resp = await client.post("/api/chat/tokens/", json={"name": "script"}, headers=rita.headers)
    assert resp.status == 201, await resp.text()
    api_token = {"Authorization": f"Bearer {(await resp.json())['token']}"}
    assert await directory_recheck.recheck(core) == 0
    remove_person(slapd, "rita")
    assert await directory_recheck.recheck(core) == 1
    await closed_with(ws, 4001)
    await assert_error(await client.get("/api/auth/me", headers=rita.headers), 401, "identity")
    text = await assert_error(await client.get("/api/auth/me", headers=api_token), 401, "identity")
    assert text == "This account is disabled in the company directory"
    resp = await client.post("/api/auth/refresh", json={"refresh_token": rita.refresh_token})
    await assert_error(resp, 401, "identity")
    await assert_error(await login(client, "rita", "rita-password"), 401, "identity")
    # Someone new under the same uid is a different directory entry: not the old account.
    add_person(slapd, "rita", "rita-password")
    try:
        await assert_error(await login(client, "rita", "rita-password"), 403, "identity")
    finally:
        remove_person(slapd, "rita")


async def test_the_periodic_recheck_closes_a_disabled_users_sockets(
    aiohttp_client, tmp_path, slapd
):
    settings = ldap_settings(tmp_path, slapd.url, CHAT_LDAP_RECHECK_SECONDS="0.2")
    client = await aiohttp_client(create_app(settings))
    add_person(slapd, "sam", "sam-password")
    sam = await signed_in(client, "sam", "sam-password")
    ws = await connect(client, sam, await make_room(client, sam))
    with slapd.admin() as conn:
        conn.modify(f"uid=sam,{PEOPLE}", {"employeeType": [(ldap3.MODIFY_REPLACE, ["disabled"])]})
    try:
        await closed_with(ws, 4001, timeout=5)
    finally:
        remove_person(slapd, "sam")


def silent_listener() -> socket.socket:
    """A port that accepts connections and never answers: a hung directory."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    return sock


@pytest.mark.parametrize("kind", ["refused", "hung"])
async def test_a_directory_that_is_down_gives_a_clear_error_and_local_accounts_still_work(
    aiohttp_client, tmp_path, kind
):
    with silent_listener() as hung:
        port = hung.getsockname()[1]
        if kind == "refused":
            hung.close()
        settings = ldap_settings(tmp_path, f"ldap://127.0.0.1:{port}", CHAT_LDAP_TIMEOUT="0.5")
        client = await aiohttp_client(create_app(settings))
        local = await register(client, "local")
        started = time.monotonic()
        pending = asyncio.ensure_future(login(client, "jane", "jane-password"))
        health = await client.get("/healthz")  # the event loop is not blocked
        assert await health.json() == {"status": "ok"}
        # A hung directory holds the sign-in while others are served; a refused one may
        # answer before /healthz does (in-process tests hash passwords cheaply).
        assert kind == "refused" or not pending.done()
        text = await assert_error(await pending, 503, "identity")
        assert "directory is not reachable" in text
        assert time.monotonic() - started < 5
        assert (await signed_in(client, "local", "correct horse")).id == local.id


async def test_local_passwords_and_sign_up_can_be_turned_off(aiohttp_client, tmp_path, slapd):
    data = tmp_path / "data"
    client = await aiohttp_client(create_app(Settings(data_dir=data)))
    await register(client, "local")
    await client.close()
    settings = ldap_settings(tmp_path, slapd.url, local_login=False)
    client = await aiohttp_client(create_app(settings))
    await assert_error(await login(client, "local", "correct horse"), 401, "identity")
    resp = await client.post("/api/auth/register", json={"username": "new", "password": "x" * 10})
    await assert_error(resp, 403, "identity")
    jane = await signed_in(client, "jane", "jane-password")
    resp = await client.patch(
        "/api/auth/me", json={"password": "a-local-password"}, headers=jane.headers
    )
    await assert_error(resp, 403, "identity")


@pytest.mark.parametrize("transport", ["starttls", "ldaps"])
async def test_tls_connections_verify_the_directory_certificate(
    aiohttp_client, tmp_path, slapd, transport
):
    url, extra = (
        (slapd.url, {"CHAT_LDAP_STARTTLS": "1"}) if transport == "starttls" else (slapd.tls_url, {})
    )
    trusted = ldap_settings(
        tmp_path / "trusted", url, CHAT_LDAP_CA_FILE=str(slapd.ca_file), **extra
    )
    client = await aiohttp_client(create_app(trusted))
    assert (await signed_in(client, "jane", "jane-password")).username == "jane"
    untrusted = ldap_settings(tmp_path / "untrusted", url, **extra)  # system CAs only
    client = await aiohttp_client(create_app(untrusted))
    await assert_error(await login(client, "jane", "jane-password"), 503, "identity")


async def test_directory_sign_ins_and_failures_are_audited(client):
    await signed_in(client, "jane", "jane-password")
    await assert_error(await login(client, "jane", "wrong-password"), 401, "identity")
    assert await rows_soon(client.server.app[core_key].db, 2) == [
        ("sign_in", "jane", "jane", {"method": "ldap"}),
        ("sign_in_failed", "jane", None, {"method": "ldap", "reason": "bad_credentials"}),
    ]
