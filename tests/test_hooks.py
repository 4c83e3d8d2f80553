"""Incoming webhooks: Slack/Mattermost payloads posted unmodified by CI, Alertmanager
and Grafana become normal messages in every dialect; keys are secret and revocable."""

from __future__ import annotations

import json
import time

import pytest

from chat.app import create_app
from chat.settings import Settings
from tests.helpers import assert_error, connect, make_room, next_frame, register

ALERTMANAGER = {  # what Alertmanager's default slack_configs template sends
    "channel": "#alerts",
    "username": "Alertmanager",
    "icon_emoji": ":fire:",
    "text": "",
    "attachments": [
        {
            "color": "danger",
            "title": "[FIRING:1] DiskFull (node1 critical)",
            "title_link": "http://alertmanager:9093/#/alerts?receiver=teahouse",
            "pretext": "",
            "text": "Disk /var is 97% full &amp; growing",
            "fallback": "[FIRING:1] DiskFull",
            "fields": [{"title": "severity", "value": "critical", "short": True}],
            "footer": "",
            "mrkdwn_in": ["fallback", "pretext", "text"],
        }
    ],
}


async def make_hook(client, person, room, name="CI") -> dict:
    resp = await client.post(
        f"/api/chat/rooms/{room['id']}/hooks/", json={"name": name}, headers=person.headers
    )
    assert resp.status == 201, await resp.text()
    return await resp.json()


async def assert_slack(resp, status: int, text: str) -> None:
    assert resp.status == status
    assert resp.content_type == "text/plain"
    assert await resp.text() == text


async def test_ci_script_post_answers_ok_and_reaches_every_dialect(client, alice, bob):
    room = await make_room(client, alice)
    hook = await make_hook(client, alice, room)
    assert hook["path"] == f"/hooks/{hook['key']}" and hook["url"].endswith(hook["path"])
    channels_ws = await connect(client, bob, room)
    v1_ws = await connect(client, alice, room, "v1")
    # curl -d '{"text":"build 42 passed"}' sends a form content type with a JSON body
    resp = await client.post(
        hook["path"],
        data='{"text":"build 42 passed"}',
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    await assert_slack(resp, 200, "ok")
    frame = await next_frame(channels_ws, "chat_message")
    assert frame["message"]["content"] == "build 42 passed"
    assert frame["message"]["sender"]["is_bot"] is True
    assert frame["message"]["sender"]["display_name"] == "CI"
    v1_frame = await next_frame(v1_ws, "message")
    assert v1_frame["content"] == "build 42 passed"
    simple = await client.get(f"/api/chat/messages?room_id={room['slug']}", headers=bob.headers)
    listed = await simple.json()
    contents = [m["content"] for m in listed]
    assert "build 42 passed" in contents
    found = await client.get("/api/chat/search/?q=passed", headers=bob.headers)
    assert [hit["content"] for hit in (await found.json())["results"]] == ["build 42 passed"]
    await channels_ws.close()
    await v1_ws.close()


async def test_alertmanager_attachments_become_text_with_username_override(client, alice):
    room = await make_room(client, alice)
    hook = await make_hook(client, alice, room)
    await assert_slack(await client.post(hook["path"], json=ALERTMANAGER), 200, "ok")
    resp = await client.get(f"/api/chat/rooms/{room['id']}/messages/", headers=alice.headers)
    message = (await resp.json())["messages"][-1]
    assert message["content"] == (
        "[FIRING:1] DiskFull (node1 critical) (http://alertmanager:9093/#/alerts?receiver=teahouse)\n"
        "Disk /var is 97% full & growing\nseverity: critical"
    )
    assert message["sender"]["display_name"] == "Alertmanager"
    assert message["sender"]["is_bot"] is True


async def test_form_payload_field_and_slack_links(client, alice):
    room = await make_room(client, alice)
    hook = await make_hook(client, alice, room)
    payload = json.dumps({"text": "deployed <https://ci.example/42|build 42> to prod"})
    await assert_slack(await client.post(hook["path"], data={"payload": payload}), 200, "ok")
    resp = await client.get(f"/api/chat/rooms/{room['id']}/messages/", headers=alice.headers)
    assert (await resp.json())["messages"][-1][
        "content"
    ] == "deployed build 42 (https://ci.example/42) to prod"


async def test_attachment_with_only_fallback_shows_the_fallback(client, alice):
    room = await make_room(client, alice)
    hook = await make_hook(client, alice, room)
    body = {"attachments": [{"fallback": "Grafana: CPU high", "color": "#D63232"}]}
    await assert_slack(await client.post(hook["path"], json=body), 200, "ok")
    resp = await client.get(f"/api/chat/rooms/{room['id']}/messages/", headers=alice.headers)
    assert (await resp.json())["messages"][-1]["content"] == "Grafana: CPU high"


async def test_bad_payloads_get_slack_errors(client, alice):
    room = await make_room(client, alice)
    hook = await make_hook(client, alice, room)
    await assert_slack(await client.post("/hooks/nope", json={"text": "x"}), 404, "no_such_hook")
    await assert_slack(
        await client.post(
            hook["path"], data=b"{not json", headers={"Content-Type": "application/json"}
        ),
        400,
        "invalid_payload",
    )
    await assert_slack(await client.post(hook["path"], json=["text"]), 400, "invalid_payload")
    await assert_slack(await client.post(hook["path"], json={"text": "  "}), 400, "no_text")
    await assert_slack(await client.post(hook["path"], json={"attachments": [{}]}), 400, "no_text")
    await assert_slack(
        await client.post(
            hook["path"], data=b"\xff\xfe", headers={"Content-Type": "application/json"}
        ),
        400,
        "invalid_payload",
    )


async def test_long_text_is_cut_not_refused(client, alice):
    room = await make_room(client, alice)
    hook = await make_hook(client, alice, room)
    await assert_slack(await client.post(hook["path"], json={"text": "x" * 9000}), 200, "ok")
    resp = await client.get(f"/api/chat/rooms/{room['id']}/messages/", headers=alice.headers)
    assert len((await resp.json())["messages"][-1]["content"]) == 5000


async def test_a_body_of_unclosed_slack_links_is_posted_at_once(client, alice):
    """64 KiB of "<http:" froze the whole server for 16.7 s (a quadratic pattern)."""
    hook = await make_hook(client, alice, await make_room(client, alice))
    started = time.monotonic()
    resp = await client.post(hook["path"], json={"text": "<http:" * 10_900})
    await assert_slack(resp, 200, "ok")
    assert time.monotonic() - started < 2


@pytest.fixture
async def tight_client(aiohttp_client, tmp_path):
    settings = Settings(data_dir=tmp_path / "tight", hook_rate_per_minute=2, hook_max_bytes=2048)
    return await aiohttp_client(create_app(settings))


async def test_rate_limit_and_size_cap_per_hook(tight_client):
    client = tight_client
    owner = await register(client, "owner")
    room = await make_room(client, owner)
    first, second = await make_hook(client, owner, room), await make_hook(client, owner, room, "B")
    for _ in range(2):
        await assert_slack(await client.post(first["path"], json={"text": "hi"}), 200, "ok")
    await assert_slack(await client.post(first["path"], json={"text": "hi"}), 429, "rate_limited")
    await assert_slack(await client.post(second["path"], json={"text": "hi"}), 200, "ok")
    await assert_slack(
        await client.post(second["path"], json={"text": "y" * 3000}), 413, "payload_too_large"
    )


async def test_a_hook_over_its_rate_is_refused_before_its_payload_is_rendered(tight_client):
    client = tight_client
    owner = await register(client, "owner")
    hook = await make_hook(client, owner, await make_room(client, owner))
    for _ in range(2):
        await assert_slack(await client.post(hook["path"], json={"text": "hi"}), 200, "ok")
    # A payload with nothing to show is not even read once the hook is over its rate.
    await assert_slack(await client.post(hook["path"], json={"text": ""}), 429, "rate_limited")


async def test_only_room_admins_manage_hooks_and_keys_are_shown_once(client, alice, bob):
    room = await make_room(client, alice)
    await client.post(f"/api/chat/rooms/{room['id']}/join/", headers=bob.headers)
    resp = await client.post(
        f"/api/chat/rooms/{room['id']}/hooks/", json={"name": "x"}, headers=bob.headers
    )
    await assert_error(resp, 403, "channels")
    await assert_error(
        await client.get(f"/api/chat/rooms/{room['id']}/hooks/", headers=bob.headers),
        403,
        "channels",
    )
    hook = await make_hook(client, alice, room)
    listed = await (
        await client.get(f"/api/chat/rooms/{room['id']}/hooks/", headers=alice.headers)
    ).json()
    assert [h["name"] for h in listed] == ["CI"] and "key" not in listed[0]
    assert hook["key"] not in json.dumps(listed)


async def test_rename_regenerate_and_delete(client, alice):
    room = await make_room(client, alice)
    hook = await make_hook(client, alice, room)
    base = f"/api/chat/rooms/{room['id']}/hooks/{hook['id']}/"
    renamed = await client.patch(base, json={"name": "Jenkins"}, headers=alice.headers)
    assert (await renamed.json())["user"]["display_name"] == "Jenkins"
    fresh = await (await client.post(base + "regenerate/", headers=alice.headers)).json()
    assert fresh["key"] != hook["key"]
    await assert_slack(await client.post(hook["path"], json={"text": "old"}), 404, "no_such_hook")
    await assert_slack(await client.post(fresh["path"], json={"text": "new"}), 200, "ok")
    assert (await client.delete(base, headers=alice.headers)).status == 200
    await assert_slack(await client.post(fresh["path"], json={"text": "gone"}), 404, "no_such_hook")
    members = await (
        await client.get(f"/api/chat/rooms/{room['id']}/members/", headers=alice.headers)
    ).json()
    assert [m["user"]["username"] for m in members] == ["alice"]
    await assert_error(await client.delete(base, headers=alice.headers), 404, "channels")


async def test_a_muted_hook_is_refused(client, alice):
    room = await make_room(client, alice)
    hook = await make_hook(client, alice, room)
    resp = await client.patch(
        f"/api/chat/rooms/{room['id']}/members/{hook['user']['id']}/",
        json={"is_muted": True},
        headers=alice.headers,
    )
    assert resp.status == 200, await resp.text()
    await assert_slack(
        await client.post(hook["path"], json={"text": "x"}), 403, "action_prohibited"
    )


async def test_no_hooks_in_direct_rooms_even_for_a_site_admin(client, admin, bob):
    resp = await client.post("/api/chat/direct/", json={"username": "bob"}, headers=admin.headers)
    direct = await resp.json()
    resp = await client.post(
        f"/api/chat/rooms/{direct['id']}/hooks/", json={"name": "x"}, headers=admin.headers
    )
    await assert_error(resp, 400, "channels")


def test_hook_and_bot_keys_never_reach_the_access_log():
    from chat.web.accesslog import redact_path

    assert redact_path("/hooks/AbCdEf123_-xyz") == "/hooks/[redacted]"
    assert (
        redact_path("/rooms/5/12-abcdefghijklmnopqrstuvwxyz012345/messages")
        == "/rooms/5/[redacted]/messages"
    )
    assert redact_path("/api/chat/rooms/5/hooks/3/") == "/api/chat/rooms/5/hooks/3/"
    # The logged path is decoded: %2e%2e%2f arrives as "../", and the key must not follow it.
    assert redact_path("/hooks/../AbCdEf123_-xyz") == "/hooks/[redacted]"
    assert (
        redact_path("/rooms/5/../12-abcdefghijklmnopqrstuvwxyz012345/messages")
        == "/rooms/5/[redacted]/messages"
    )
    assert redact_path("/api/v1/chatroom/ws/1/../secret") == "/api/v1/chatroom/ws/1/[redacted]"


def test_every_catalog_key_is_defined_once():
    import re
    from pathlib import Path

    folder = Path(__file__).parents[1] / "chat" / "i18n"
    source = "".join(path.read_text() for path in sorted(folder.glob("*.py")))
    keys = re.findall(r'^\s+"(\w+)": \(', source, flags=re.M)
    assert sorted(k for k in set(keys) if keys.count(k) > 1) == []


async def test_a_hook_of_a_deleted_room_answers_channel_not_found(client, alice):
    room = await make_room(client, alice)
    hook = await make_hook(client, alice, room)
    assert (
        await client.delete(f"/api/chat/rooms/{room['id']}/", headers=alice.headers)
    ).status == 200
    await assert_slack(
        await client.post(hook["path"], json={"text": "x"}), 404, "channel_not_found"
    )
