"""The outbound door, against a loopback web site: what it dials, what it refuses, and
how much it reads. A dial guard fails any test that dials anything but loopback, and the
site is reached only because the tests name it (ALLOWED_HOST) in the allow list."""

from __future__ import annotations

import asyncio
import ipaddress
import time
from collections import Counter

import pytest

from chat.outbound.address import Policy, Refused, check, resolve
from chat.outbound.door import Door, Unreachable
from tests.pushservice import PushService
from tests.websites import (  # noqa: F401 (guard and site are fixtures)
    ALLOWED_HOST,
    SNEAKY_HOST,
    guard,
    hosts_resolver,
    site,
)

WEB = dict(schemes=frozenset({"http", "https"}), ports=frozenset({80, 443}))


@pytest.fixture
async def door():
    counts: Counter = Counter()
    policy = Policy(**WEB, allow_hosts=frozenset({ALLOWED_HOST}))
    opened = Door("test", policy, 2.0, counts, resolver=hosts_resolver)
    yield opened
    await opened.close()


async def test_an_allowed_name_is_fetched_at_its_pinned_address(door, site, guard):
    reply = await door.fetch("GET", site.at("/og"), max_bytes=100_000, content_types=("text/html",))
    assert reply.status == 200 and b"og:title" in reply.body
    assert guard.dialled == ["127.0.0.1"]
    assert door.counts[("test", "fetched")] == 1


async def test_the_guard_refuses_loopback_when_nobody_allowed_it(site, guard):
    door = Door("test", Policy(**WEB), 2.0, Counter())  # the real resolver: /etc/hosts
    try:
        for url in (f"http://localhost:{site.port}/og", f"http://127.0.0.1:{site.port}/og"):
            with pytest.raises(Refused) as refused:
                await door.fetch("GET", url, max_bytes=1000)
            assert refused.value.reason == "private_address"
    finally:
        await door.close()
    assert guard.dialled == [] and site.hits == {}


@pytest.mark.parametrize(
    "where",
    [
        "http://127.0.0.1:{port}/og",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]:{port}/og",
        "http://0.0.0.0:{port}/og",
        "http://[::ffff:127.0.0.1]:{port}/og",
        "http://10.0.0.1/",
        "http://" + SNEAKY_HOST + ":{port}/og",  # a name that resolves to loopback
    ],
)
async def test_every_redirect_is_checked_again(door, site, guard, where):
    target = where.format(port=site.port)
    with pytest.raises(Refused) as refused:
        await door.fetch("GET", site.at(f"/redirect?to={target}"), max_bytes=1000, redirects=3)
    assert refused.value.reason == "private_address"
    assert guard.dialled == ["127.0.0.1"]  # the first hop only
    assert site.hits == {"/redirect": 1} and door.counts[("test", "private_address")] == 1


async def test_a_redirect_within_the_allowed_host_is_followed_at_most_three_times(door, site):
    reply = await door.fetch(
        "GET", site.at(f"/redirect?to={site.at('/og')}"), max_bytes=100_000, redirects=3
    )
    assert reply.status == 200 and reply.url == site.at("/og")
    with pytest.raises(Refused) as refused:
        await door.fetch("GET", site.at("/loop"), max_bytes=1000, redirects=3)
    assert refused.value.reason == "redirects" and site.hits["/loop"] == 4


async def test_a_huge_body_is_read_only_up_to_the_cap(door, site):
    reply = await door.fetch("GET", site.at("/huge"), max_bytes=200_000, cut=True)
    assert reply.truncated and len(reply.body) == 200_000 and b"og:title" in reply.body
    with pytest.raises(Refused) as refused:
        await door.fetch("GET", site.at("/huge"), max_bytes=200_000)
    assert refused.value.reason == "too_large"


async def test_a_slow_body_meets_the_deadline(site):
    door = Door("test", Policy(**WEB, allow_hosts=frozenset({ALLOWED_HOST})), 0.5, Counter())
    door.resolver = hosts_resolver
    started = time.monotonic()
    try:
        with pytest.raises(Unreachable):
            await door.fetch("GET", site.at("/slow"), max_bytes=1000)
    finally:
        await door.close()
    assert time.monotonic() - started < 2.0
    assert door.counts[("test", "failed")] == 1


async def test_other_content_types_are_refused_unread(door, site):
    with pytest.raises(Refused) as refused:
        await door.fetch("GET", site.at("/json"), max_bytes=1000, content_types=("text/html",))
    assert refused.value.reason == "content_type"


@pytest.mark.parametrize(
    "url, reason",
    [
        ("ftp://8.8.8.8/x", "scheme"),
        ("file:///etc/passwd", "scheme"),
        ("gopher://8.8.8.8/", "scheme"),
        ("http://8.8.8.8:22/", "port"),
        ("http://8.8.8.8:6379/", "port"),
        ("http://user:pw@8.8.8.8/", "userinfo"),
        ("http://[fe80::1%25eth0]/", "private_address"),
        ("http://224.0.0.1/", "private_address"),
        ("http://[ff02::1]/", "private_address"),
        ("http://192.0.2.1/", "private_address"),  # documentation range: reserved
        ("http://[64:ff9b::7f00:1]/", "private_address"),
    ],
)
async def test_schemes_ports_and_reserved_addresses_are_refused(url, reason, guard):
    with pytest.raises(Refused) as refused:
        await check(url, Policy(**WEB), hosts_resolver)
    assert refused.value.reason == reason
    assert guard.dialled == []


async def test_extra_ports_and_a_public_address_pass():
    policy = Policy(**{**WEB, "ports": frozenset({80, 443, 8080})})
    target = await check("http://8.8.8.8:8080/x", policy, hosts_resolver)
    assert (target.address, target.port) == ("8.8.8.8", 8080)


async def test_the_deny_list_wins_over_the_allow_list(site, guard):
    policy = Policy(
        **WEB,
        allow=(ipaddress.ip_network("127.0.0.0/8"),),
        deny_hosts=(".test",),
    )
    with pytest.raises(Refused) as refused:
        await check(site.at("/og"), policy, hosts_resolver)
    assert refused.value.reason == "denied"
    policy = Policy(**WEB, deny=(ipaddress.ip_network("8.8.8.0/24"),))
    with pytest.raises(Refused):
        await check("http://8.8.8.8/", policy, hosts_resolver)
    assert guard.dialled == []


async def test_tls_is_verified_without_a_ca_file_and_trusts_a_named_one(tmp_path, guard):
    # A self-signed site: refused by the default context, fetched once its CA is named.
    service = await PushService(tmp_path).start()
    policy = Policy(ports=frozenset({service.port}), allow=(ipaddress.ip_network("127.0.0.1/32"),))
    url = f"https://127.0.0.1:{service.port}/elsewhere"
    doors = [Door("test", policy, 5.0, Counter(), ca_file=ca) for ca in (None, str(service.cert))]
    try:
        with pytest.raises(Unreachable):
            await doors[0].fetch("POST", url, max_bytes=1000)
        assert (await doors[1].fetch("POST", url, max_bytes=1000)).status == 201
    finally:
        for door in doors:
            await door.close()
        await service.stop()
    assert service.hits == {"elsewhere": 1}


async def test_the_real_resolver_is_used_by_default():
    assert await resolve("127.0.0.1", 80) == [ipaddress.ip_address("127.0.0.1")]


def test_the_doors_lists_and_the_preview_settings_come_from_the_environment():
    from chat.settings import SettingsError, load_settings

    flags = {"host": None, "port": None, "data_dir": None}
    settings = load_settings(
        flags,
        env={
            "CHAT_OUTBOUND_ALLOW_HOSTS": "Wiki.Corp., ci.corp",
            "CHAT_OUTBOUND_DENY": ".payroll.corp, 10.20.5.0/24, fd00::/8",
            "CHAT_OUTBOUND_PORTS": "8080,8443",
            "CHAT_PREVIEWS": "off",
            "CHAT_RATE_PREVIEWS": "1:5",
            "CHAT_PREVIEW_MAX_BYTES": "65536",
        },
    )
    assert settings.outbound_allow_hosts == {"wiki.corp", "ci.corp"}
    assert settings.outbound_deny_hosts == (".payroll.corp",)
    assert [str(n) for n in settings.outbound_deny] == ["10.20.5.0/24", "fd00::/8"]
    assert settings.outbound_ports == (8080, 8443) and settings.previews is False
    assert settings.rate_previews == (1.0, 5) and settings.preview_max_bytes == 65536
    for bad in ({"CHAT_OUTBOUND_PORTS": "70000"}, {"CHAT_OUTBOUND_DENY": "10.0.0.300"}):
        with pytest.raises(SettingsError):
            load_settings(flags, env=bad)
