"""Prometheus metrics: off by default, loopback-only when on, scraped with the
library's own parser."""

from __future__ import annotations

import pytest
from prometheus_client.parser import text_string_to_metric_families

from chat.app import create_app
from chat.settings import Settings, load_settings
from tests.helpers import connect, make_room, register


def app_with(tmp_path, **options):
    return create_app(Settings(data_dir=tmp_path / "data", **options))


async def scrape(client) -> dict:
    """{(name, labels as a sorted tuple): value} of every sample."""
    resp = await client.get("/metrics")
    assert resp.status == 200, await resp.text()
    assert resp.content_type == "text/plain"
    samples = {}
    for family in text_string_to_metric_families(await resp.text()):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


async def test_metrics_are_off_unless_enabled(aiohttp_client, tmp_path):
    client = await aiohttp_client(app_with(tmp_path))
    assert (await client.get("/metrics")).status == 404


def test_metrics_settings_come_from_the_environment():
    settings = load_settings(env={"CHAT_METRICS": "1", "CHAT_METRICS_ALLOW": "10.0.0.0/8,::1"})
    assert settings.metrics and settings.metrics_allow == ("10.0.0.0/8", "::1")
    with pytest.raises(ValueError):
        load_settings(env={"CHAT_METRICS_ALLOW": "not-a-network"})


async def test_only_allowed_networks_may_scrape(aiohttp_client, tmp_path):
    client = await aiohttp_client(app_with(tmp_path, metrics=True, metrics_allow=("10.0.0.0/8",)))
    resp = await client.get("/metrics")
    assert resp.status == 403


async def test_a_forwarded_hop_that_names_no_loopback_client_never_passes_for_loopback(
    aiohttp_client, tmp_path
):
    """Behind a proxy on this host, /metrics answers only a request made on the host."""
    client = await aiohttp_client(app_with(tmp_path, metrics=True, trusted_proxies=("127.0.0.1",)))
    assert (await client.get("/metrics")).status == 200
    for hop in (
        "203.0.113.5:8080",
        "[2001:db8::5]:443",
        "[2001:db8::5]",
        "unknown",
        "",
        " , ",
        "127.0.0.1:80:1",
        "[::1",
        "garbage",
        "203.0.113.5:http",
        "1.2.3.4:５",
    ):
        resp = await client.get("/metrics", headers={"X-Forwarded-For": hop})
        assert resp.status == 403, hop


async def test_a_scrape_shows_sockets_messages_fanout_commits_requests_and_throttles(
    aiohttp_client, tmp_path
):
    client = await aiohttp_client(app_with(tmp_path, metrics=True))
    alice = await register(client, "alice")
    room = await make_room(client, alice)
    ws = await connect(client, alice, room)
    for text in ("one", "two"):
        resp = await client.post(
            f"/api/chat/rooms/{room['id']}/messages/", json={"content": text}, headers=alice.headers
        )
        assert resp.status == 201
    for _ in range(6):
        await client.post("/api/auth/login", json={"username": "alice", "password": "wrong pass"})
    samples = await scrape(client)
    assert samples[("teahouse_open_sockets", (("dialect", "channels"),))] == 1
    assert samples[("teahouse_open_sockets", (("dialect", "v1"),))] == 0
    assert samples[("teahouse_messages_stored_total", ())] >= 2
    assert samples[("teahouse_fanout_frames_total", ())] >= 2
    assert samples[("teahouse_commit_batch_size_count", ())] >= 3
    assert samples[("teahouse_commit_seconds_count", ())] >= 3
    assert samples[("teahouse_login_throttled_total", ())] >= 1
    assert samples[("teahouse_queue_overflows_total", ())] == 0
    route = (("method", "POST"), ("route", "/api/chat/rooms/{room}/messages/"), ("status", "201"))
    assert samples[("teahouse_http_requests_total", route)] == 2
    login = (("method", "POST"), ("route", "/api/auth/login"), ("status", "429"))
    assert samples[("teahouse_http_requests_total", login)] >= 1
    await ws.close()


async def test_hook_keys_never_become_labels(aiohttp_client, tmp_path):
    client = await aiohttp_client(app_with(tmp_path, metrics=True))
    await client.post("/hooks/secret-key-value", json={"text": "x"})
    text = await (await client.get("/metrics")).text()
    assert "secret-key-value" not in text and 'route="/hooks/{key}"' in text
