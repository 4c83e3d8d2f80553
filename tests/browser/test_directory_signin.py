"""Signing in with a company account in a real Chromium: "Sign in with Keycloak"
through the test OpenID Connect provider, and a directory password checked by a real
OpenLDAP slapd."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from tests.ldapserver import ldap_env
from tests.oidcprovider import Provider

from .conftest import Server

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def provider():
    server = Provider().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def server(tmp_path_factory, provider, slapd):
    """Teahouse with one OIDC provider ("Keycloak") and the LDAP directory."""
    base = tmp_path_factory.mktemp("directory-browser")
    process = Server(base / "data")
    entry = provider.settings_entry("keycloak", "Keycloak")
    process.env.update(ldap_env(slapd.url), CHAT_OIDC_PROVIDERS=json.dumps([entry]))
    provider.redirect_uris.add(f"{process.base}/auth/oidc/keycloak/callback")
    process.start()
    yield process
    process.stop()


def test_sign_in_with_keycloak_and_land_in_the_chat(open_page, provider, server):
    provider.reset()
    page = open_page()
    page.get_by_role("link", name="Sign in with Keycloak").click()
    page.locator("#approve").click()  # the provider's own page
    page.locator("#chat-view").wait_for()
    expect(page.locator("#me-name")).to_have_text("Kate Keycloak")
    assert "signin=" not in page.url
    assert "access_token" not in page.evaluate("JSON.stringify({...localStorage})")  # no token kept
    cookies = {cookie["name"]: cookie for cookie in page.context.cookies()}
    assert cookies["teahouse_session"]["httpOnly"]  # the login cookie, as a password gives
    assert "teahouse_signin" not in cookies and "teahouse_oidc_flow" not in cookies
    page.reload()  # signed in, as after a password
    page.locator("#chat-view").wait_for()
    assert page.errors == []


def test_a_refused_provider_sign_in_says_why_on_the_sign_in_screen(open_page, provider):
    provider.reset(sub="someone-else", preferred_username="mallory")
    provider.mode = "wrong_audience"
    page = open_page()
    page.get_by_role("link", name="Sign in with Keycloak").click()
    page.locator("#approve").click()
    error = page.locator("#external-error")
    error.wait_for()
    assert error.inner_text() == "Sign-in with Keycloak failed, try again"
    assert page.locator("#auth-view").is_visible()


def test_a_directory_password_signs_in_from_the_ordinary_form(open_page):
    page = open_page()
    page.fill("#auth-username", "jane")
    page.fill("#auth-password", "jane-password")
    page.click("#auth-submit")
    page.locator("#chat-view").wait_for()
    expect(page.locator("#me-name")).to_have_text("Jane Doe")  # filled in once /me answers
