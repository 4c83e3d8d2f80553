"""Fixtures build real things: a data dir in tmp_path, the real app, real users."""

from __future__ import annotations

import pytest

from chat.app import create_app
from chat.core.people import accounts
from chat.keys import core_key
from chat.settings import Settings
from tests.helpers import NO_RATE_LIMITS, register
from tests.ldapserver import Slapd, require_slapd

# The real scrypt cost (n = 2**14) takes about 60 ms of CPU per hash, and the suite
# registers and signs in thousands of people: in-process tests hash at a cheap factor
# (a stored hash names its own parameters, so nothing else changes). `full_password_cost`
# puts the real one back; server subprocesses always hash at the real cost.
FULL_PASSWORD_COST = dict(accounts.SCRYPT)
CHEAP_PASSWORD_COST = {"n": 2**4, "r": 8, "p": 1}


@pytest.fixture(autouse=True, scope="session")
def cheap_password_hashes():
    accounts.SCRYPT = CHEAP_PASSWORD_COST
    yield
    accounts.SCRYPT = FULL_PASSWORD_COST


@pytest.fixture
def full_password_cost(monkeypatch):
    monkeypatch.setattr(accounts, "SCRYPT", FULL_PASSWORD_COST)


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(data_dir=tmp_path / "data", heartbeat_seconds=5.0, **NO_RATE_LIMITS)


@pytest.fixture
async def client(aiohttp_client, settings):
    return await aiohttp_client(create_app(settings))


@pytest.fixture
def core(client):
    return client.server.app[core_key]


@pytest.fixture
def make_user(client):
    """make_user(name) registers through the real endpoint; the first one is a site admin."""

    async def make(username: str, **extra):
        return await register(client, username, **extra)

    return make


@pytest.fixture
async def admin(make_user):
    return await make_user("admin")


@pytest.fixture
async def alice(admin, make_user):
    return await make_user("alice", display_name="Alice Liddell")


@pytest.fixture
async def bob(admin, make_user):
    return await make_user("bob")


@pytest.fixture(scope="module")
def slapd(tmp_path_factory):
    """A real OpenLDAP server seeded with the test directory, one per test module."""
    require_slapd()
    server = Slapd(tmp_path_factory.mktemp("slapd")).start()
    yield server
    server.stop()
