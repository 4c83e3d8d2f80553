"""First contact is one write (issue 27): a registration, a directory or OpenID Connect
first sign-in creates the user and opens their login in a single write job, and
first contacts arriving at once share commits (the group commit)."""

from __future__ import annotations

import asyncio
import time

import aiohttp
import jwt
import pytest

from chat.app import create_app
from chat.core.people import accounts, tokens
from chat.core.people.identities import Profile
from chat.core.site import administration
from chat.db import identities as identities_db
from chat.errors import Unauthorized
from chat.hub import ADMISSIONS
from chat.keys import core_key
from chat.models import User
from chat.settings import Settings
from tests.audit_helpers import rows_soon
from tests.helpers import NO_RATE_LIMITS, assert_error, closed_with, next_frame
from tests.test_directory_ldap import ldap_settings, signed_in
from tests.test_directory_oidc import approve as provider_approves
from tests.test_directory_oidc import (
    come_back,
    oidc_settings,
    provider,  # noqa: F401 (a fixture)
    start,
)
from tests.test_join_notices import newcomer


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(
        data_dir=tmp_path / "data",
        register_per_address=0,
        register_per_minute=0,
        **NO_RATE_LIMITS,
    )


def profile_of(i: int) -> Profile:
    return Profile("https://idp.example", f"sub-{i}", f"person{i}", f"Person {i}", None, None)


async def count_writes(core) -> list[int]:
    """Jobs per commit from now on, told by the Database after each batch; first the
    server's own start-up writes (health probe, search index catch-up) settle."""
    batches: list[int] = []
    core.db.on_batch = lambda jobs, seconds: batches.append(jobs)
    for _ in range(50):  # quiet for 0.3 s, at most 5 s
        seen = len(batches)
        await asyncio.sleep(0.3)
        if len(batches) == seen:
            break
    batches.clear()
    return batches


async def test_registrations_arriving_at_once_are_one_write_each(client, core):
    batches = await count_writes(core)
    answers = await asyncio.gather(
        *(
            client.post(
                "/api/auth/register", json={"username": f"new{i}", "password": "long enough"}
            )
            for i in range(24)
        )
    )
    assert [resp.status for resp in answers] == [201] * 24
    assert sum(batches) == 24, batches  # before: two each (the account, then its login)
    bodies = [await resp.json() for resp in answers]
    me = await client.get(
        "/api/auth/me", headers={"Authorization": f"Bearer {bodies[5]['access_token']}"}
    )
    assert (await me.json())["username"] == "new5"
    again = await client.post(
        "/api/auth/login", json={"username": "new5", "password": "long enough"}
    )
    assert again.status == 200
    taken = await client.post(
        "/api/auth/register", json={"username": "new5", "password": "long enough"}
    )
    assert taken.status in (400, 409)
    assert sum(batches) == 24 + 2  # the login: one write; the refused sign-up none that landed


async def test_a_hundred_provider_first_sign_ins_at_once_share_few_commits(client, core):
    """Directory and OpenID Connect sign-ins end in accounts.sign_in with the provider's
    profile: the user, their identity link, the login and its audit entry in one job."""
    batches = await count_writes(core)
    profiles = [profile_of(i) for i in range(100)]
    signed = await asyncio.gather(
        *(accounts.sign_in(core, p, "127.0.0.1", "test", "oidc") for p in profiles)
    )
    assert sum(batches) == 100, batches  # before: three each
    assert len(batches) <= 20, batches  # arriving at once: they share commits
    assert len({tokens.user.id for tokens in signed}) == 100
    [link] = await identities_db.of_user(core.db.reader, signed[7].user.id)
    assert (link.provider, link.subject, link.external_name) == (
        "https://idp.example",
        "sub-7",
        "person7",
    )
    again = await accounts.sign_in(core, profiles[7], None, None, "oidc")
    assert again.user.id == signed[7].user.id and sum(batches) == 101


async def test_a_deactivated_users_sign_in_is_refused_and_audited_in_one_write(client, core):
    admin = (await accounts.sign_in(core, profile_of(0), None, None, "oidc")).user  # the first
    user = (await accounts.sign_in(core, profile_of(1), None, None, "oidc")).user
    await administration.update_account(core, admin, user.id, is_active=False)
    batches = await count_writes(core)
    with pytest.raises(Unauthorized) as refused:
        await accounts.sign_in(core, profile_of(1), None, None, "oidc")
    assert refused.value.key == "account_deactivated"
    assert sum(batches) == 1  # before: the refused write, then the audit entry's own
    [row] = await rows_soon(core.db, 1, "sign_in_failed")
    assert row[3] == {"method": "oidc", "reason": "account_deactivated"}


async def test_a_first_directory_sign_in_is_one_write(aiohttp_client, tmp_path, slapd):
    client = await aiohttp_client(create_app(ldap_settings(tmp_path, slapd.url)))
    batches = await count_writes(client.server.app[core_key])
    first = await signed_in(client, "jane", "jane-password")
    assert sum(batches) == 1, batches  # before: the user, the sign-in, the login
    again = await signed_in(client, "jane", "jane-password")
    assert again.id == first.id and sum(batches) == 2


async def test_a_first_openid_connect_sign_in_is_one_write(aiohttp_client, tmp_path, provider):  # noqa: F811
    provider.reset()
    settings = oidc_settings(tmp_path, provider.settings_entry())
    client = await aiohttp_client(create_app(settings))
    provider.redirect_uris.add(str(client.make_url("/auth/oidc/test/callback")))
    batches = await count_writes(client.server.app[core_key])
    resp = await come_back(client, await provider_approves(provider, await start(client)))
    assert resp.status == 200, await resp.text()
    assert (await resp.json())["user"]["username"] == "kate"
    assert sum(batches) == 1, batches  # before: the user at the callback, then two at finish


async def test_newcomers_opening_sockets_at_once_share_commits_beyond_the_admission_slots(
    client, core
):
    """A socket signs in before it takes one of the hub's few admission slots: its
    first-contact write waits for the commit without holding a slot, so the crowd's
    writes are not fed to the group commit 32 at a time."""
    batches = await count_writes(core)
    people = [newcomer(core, 9000 + i, f"crowd{i}") for i in range(300)]
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:

        async def first_contact(person):
            url = client.make_url(f"/ws/user/?token={person.token}")
            ws = await session.ws_connect(url)
            await next_frame(ws, "connection_established", timeout=60)
            return ws

        sockets = await asyncio.gather(*(first_contact(p) for p in people))
        await asyncio.gather(*(ws.close() for ws in sockets))
    assert sum(batches) >= 300 and max(batches) > ADMISSIONS, batches


async def test_a_bad_token_on_a_socket_is_still_refused_with_its_close_code(client):
    async with aiohttp.ClientSession() as session:
        ws = await session.ws_connect(client.make_url("/ws/user/?token=not-a-token"))
        await closed_with(ws, 4001)


def test_the_token_secret_is_checked_once_not_per_token():
    """PyJWT's key checks (PEM, SSH, DER, JWK shapes) cost more than the HMAC: they
    run once per secret; every token is still verified."""
    secret = "a secret for this test only, 32 bytes or more"
    checked = tokens.CODEC._jws._algorithms[tokens.ALGORITHM].prepare_key
    before = checked.cache_info().misses
    for user_id in range(1, 51):
        token = tokens.issue(secret, User(user_id, f"u{user_id}", "", None, False), "access", 60)
        assert tokens.decode(secret, token, "access")["sub"] == str(user_id)
        with pytest.raises(Unauthorized):
            tokens.decode(secret + "x", token, "access")
    assert checked.cache_info().misses - before <= 2  # this secret and the wrong one


async def test_a_hand_off_from_before_the_upgrade_is_refused_not_a_500(client, core):
    """Hand-offs named a user id until first contact moved to /finish; one still in a
    browser across the upgrade (it lives a minute) is refused cleanly."""
    now = int(time.time())
    old = jwt.encode(
        {"type": "signin_handoff", "jti": "x1", "iat": now, "exp": now + 60, "uid": 1},
        core.secret,
        algorithm="HS256",
    )
    client.session.cookie_jar.update_cookies(
        {"teahouse_signin": old}, client.make_url("/api/auth/external/")
    )
    await assert_error(await client.post("/api/auth/external/finish"), 401, "identity")
