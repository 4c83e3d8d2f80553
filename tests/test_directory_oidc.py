"""Signing in with OpenID Connect against a real provider run by the tests
(tests/oidcprovider.py): the flow over HTTP, and every ID token a provider (or someone
in between) must not get past us."""

from __future__ import annotations

import json
from urllib.parse import parse_qsl, urlsplit

import aiohttp
import pytest

from chat.app import create_app
from chat.db import identities as identities_db
from chat.keys import core_key
from chat.settings import Settings
from chat.signin_settings import parse_oidc
from tests.audit_helpers import rows_soon
from tests.helpers import assert_error, register
from tests.oidcprovider import Provider
from tests.pgcluster import both_engines
from tests.serverproc import free_port


@pytest.fixture(scope="module")
def provider():
    server = Provider().start()
    yield server
    server.stop()


def oidc_settings(tmp_path, *entries: dict, database_url: str | None = None) -> Settings:
    providers = parse_oidc({"CHAT_OIDC_PROVIDERS": json.dumps(list(entries))})
    return Settings(data_dir=tmp_path / "data", database_url=database_url, oidc_providers=providers)


@pytest.fixture
async def client(aiohttp_client, tmp_path, provider, database_url):
    provider.reset()
    entry = provider.settings_entry(admin_claim="groups", admin_value="chat-admins")
    settings = oidc_settings(tmp_path, entry, database_url=database_url)
    client = await aiohttp_client(create_app(settings))
    provider.redirect_uris.add(str(client.make_url("/auth/oidc/test/callback")))
    return client


async def start(client) -> str:
    """The provider URL Teahouse sends the browser to."""
    resp = await client.get("/auth/oidc/test/start", allow_redirects=False)
    assert resp.status == 302, await resp.text()
    return resp.headers["Location"]


async def approve(provider: Provider, authorize_url: str) -> str:
    """The person approves at the provider; the callback URL it sends them back to."""
    params = dict(parse_qsl(urlsplit(authorize_url).query))
    async with aiohttp.ClientSession() as browser:
        resp = await browser.post(
            f"{provider.issuer}/authorize", data=params, allow_redirects=False
        )
        assert resp.status == 302, await resp.text()
        return resp.headers["Location"]


async def come_back(client, callback_url: str):
    parts = urlsplit(callback_url)
    resp = await client.get(f"{parts.path}?{parts.query}", allow_redirects=False)
    assert resp.status == 302 and resp.headers["Location"] == "/?signin=external"
    return await client.post("/api/auth/external/finish")


async def sign_in(client, provider):
    return await come_back(client, await approve(provider, await start(client)))


async def signed_in(client, provider) -> dict:
    resp = await sign_in(client, provider)
    assert resp.status == 200, await resp.text()
    return await resp.json()


async def user_count(client) -> int:
    row = await client.server.app[core_key].db.fetch_one("SELECT COUNT(*) FROM users")
    return row[0]


async def test_the_authorization_request_uses_pkce_state_and_nonce(client):
    query = dict(parse_qsl(urlsplit(await start(client)).query))
    assert query["code_challenge_method"] == "S256" and len(query["code_challenge"]) == 43
    assert query["state"] and query["nonce"] and query["state"] != query["nonce"]
    assert query["scope"].split()[0] == "openid" and query["client_id"] == "teahouse"


@both_engines
async def test_a_provider_sign_in_creates_the_user_once_and_gives_ordinary_tokens(client, provider):
    body = await signed_in(client, provider)
    assert body["user"]["username"] == "kate" and body["user"]["display_name"] == "Kate Keycloak"
    me = await client.get(
        "/api/auth/me", headers={"Authorization": f"Bearer {body['access_token']}"}
    )
    assert (await me.json())["id"] == body["user"]["id"]
    resp = await client.post("/api/auth/refresh", json={"refresh_token": body["refresh_token"]})
    assert resp.status == 200
    provider.claims.update(name="Kate K.", preferred_username="renamed")
    again = await signed_in(client, provider)
    assert again["user"]["id"] == body["user"]["id"]  # the same sub, whatever the name
    assert (again["user"]["username"], again["user"]["display_name"]) == ("kate", "Kate K.")


async def test_a_changed_username_or_email_at_the_provider_renames_and_never_disables(
    client, provider
):
    core = client.server.app[core_key]
    first = await signed_in(client, provider)
    old_token = {"Authorization": f"Bearer {first['access_token']}"}
    provider.claims.update(preferred_username="kate.smith", email="kate.smith@example.org")
    again = await signed_in(client, provider)
    assert again["user"]["id"] == first["user"]["id"]
    [link] = await identities_db.of_user(core.db.reader, first["user"]["id"])
    assert (link.subject, link.external_name, link.email, link.disabled_at) == (
        "user-1",
        "kate.smith",
        "kate.smith@example.org",
        None,
    )
    assert (await client.get("/api/auth/me", headers=old_token)).status == 200
    # Someone else (another sub) now called "kate" at the provider is not the old account.
    provider.claims.update(sub="user-2", preferred_username="kate", email="kate@example.org")
    before = await user_count(client)
    text = await assert_error(await sign_in(client, provider), 403, "identity")
    assert "A Teahouse account named 'kate' already exists" in text
    assert await user_count(client) == before


async def test_the_admin_flag_follows_the_configured_group_claim(client, provider):
    await register(client, "first")  # the server's first user
    provider.claims["groups"] = ["staff", "chat-admins"]
    assert (await signed_in(client, provider))["user"]["is_admin"]
    provider.claims["groups"] = ["staff"]
    assert not (await signed_in(client, provider))["user"]["is_admin"]


@pytest.mark.parametrize(
    "mode",
    [
        "wrong_audience",
        "expired",
        "bad_signature",
        "replayed_nonce",
        "alg_none",
        "hs256",
        "wrong_issuer",
    ],
)
async def test_a_bad_id_token_signs_nobody_in(client, provider, mode):
    await signed_in(client, provider)  # a nonce to replay
    provider.claims.update(sub="intruder", preferred_username="intruder")
    provider.mode = mode
    before = await user_count(client)
    text = await assert_error(await sign_in(client, provider), 401, "identity")
    assert text == "Sign-in with Test ID failed, try again"
    assert await user_count(client) == before


async def test_a_rotated_signing_key_is_fetched_again(client, provider):
    await signed_in(client, provider)  # keys cached without k2
    provider.mode = "rotated_key"
    await signed_in(client, provider)


async def test_the_callback_only_works_in_the_browser_that_started_it_and_only_once(
    client, provider, aiohttp_client
):
    callback = await approve(provider, await start(client))
    other = await aiohttp_client(client.server)  # another browser, no cookie
    text = await assert_error(await come_back(other, callback), 401, "identity")
    assert "took too long or was already used" in text
    await come_back(client, callback)
    text = await assert_error(await come_back(client, callback), 401, "identity")
    assert "already used" in text


async def test_the_hand_off_is_single_use_and_required(client, provider):
    await assert_error(await client.post("/api/auth/external/finish"), 401, "identity")
    callback = await approve(provider, await start(client))
    parts = urlsplit(callback)
    await client.get(f"{parts.path}?{parts.query}", allow_redirects=False)
    cookie = client.session.cookie_jar.filter_cookies(client.make_url("/api/auth/external/finish"))
    assert (await client.post("/api/auth/external/finish")).status == 200
    client.session.cookie_jar.update_cookies(cookie, client.make_url("/api/auth/external/"))
    await assert_error(await client.post("/api/auth/external/finish"), 401, "identity")


async def test_a_local_account_of_the_same_name_is_linked_only_by_an_admin(client, provider):
    admin = await register(client, "root")
    kate = await register(client, "kate")
    text = await assert_error(await sign_in(client, provider), 403, "identity")
    assert "A Teahouse account named 'kate' already exists" in text
    link = {"username": "kate", "provider": "test", "external_name": "kate"}
    resp = await client.post("/api/admin/identity-links", json=link, headers=admin.headers)
    assert resp.status == 201, await resp.text()
    assert (await signed_in(client, provider))["user"]["id"] == kate.id


async def test_a_provider_that_is_down_gives_a_clear_error(aiohttp_client, tmp_path, provider):
    entry = {**provider.settings_entry(), "issuer": f"http://127.0.0.1:{free_port()}"}
    client = await aiohttp_client(create_app(oidc_settings(tmp_path, entry)))
    resp = await client.get("/auth/oidc/test/start", allow_redirects=False)
    assert resp.headers["Location"] == "/?signin=external"
    text = await assert_error(await client.post("/api/auth/external/finish"), 503, "identity")
    assert text == "Test ID is not reachable, try again later"


async def test_the_page_offers_a_button_per_provider(aiohttp_client, tmp_path, provider):
    entries = [provider.settings_entry(), provider.settings_entry("other", "Other <b>ID</b>")]
    client = await aiohttp_client(create_app(oidc_settings(tmp_path, *entries)))
    page = await (await client.get("/")).text()
    assert 'href="/auth/oidc/test/start">Sign in with Test ID</a>' in page
    assert "Sign in with Other &lt;b&gt;ID&lt;/b&gt;" in page


async def test_a_provider_sign_in_and_a_refused_one_are_audited(client, provider):
    body = await signed_in(client, provider)
    db = client.server.app[core_key].db
    assert await rows_soon(db, 1) == [
        ("sign_in", "kate", body["user"]["username"], {"method": "oidc"})
    ]
    provider.mode = "bad_signature"
    await assert_error(await sign_in(client, provider), 401, "identity")
    assert await rows_soon(db, 1, "sign_in_failed") == [
        ("sign_in_failed", None, None, {"method": "oidc", "reason": "oidc_failed"})
    ]
