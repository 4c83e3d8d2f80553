"""Slack's own markup is kept beside the plain text: a Slack-format webhook and a Slack
import store mrkdwn, the channels dialect tells `format: "mrkdwn"` with it (the page
renders it as Slack does), and content stays plain text for every other client."""

from __future__ import annotations

import asyncio
from time import perf_counter

from chat.app import create_app
from chat.core.integrations.slack import unescape
from chat.core.people import accounts
from chat.keys import core_key
from chat.ops.slack import import_slack
from tests.helpers import make_room
from tests.test_hooks import assert_slack, make_hook
from tests.test_slack_import import slack_zip

SLACK_TEXT = (
    "*deployed* _v2_ ~v1~ <https://ci.example/42|build 42> for <@U024BE7LH|ada> <!here> &lt;3"
)


async def last_message(client, person, room) -> dict:
    resp = await client.get(f"/api/chat/rooms/{room['id']}/messages/", headers=person.headers)
    return (await resp.json())["messages"][-1]


async def test_a_slack_format_webhook_keeps_its_markup_beside_the_plain_text(client, alice):
    room = await make_room(client, alice)
    hook = await make_hook(client, alice, room)
    await assert_slack(await client.post(hook["path"], json={"text": SLACK_TEXT}), 200, "ok")
    message = await last_message(client, alice, room)
    assert (
        message["content"]
        == "*deployed* _v2_ ~v1~ build 42 (https://ci.example/42) for @ada @here <3"
    )
    assert message["format"] == "mrkdwn" and message["mrkdwn"] == SLACK_TEXT

    body = {
        "attachments": [
            {
                "title": "CPU <high> & rising",
                "title_link": "https://grafana.example/d/1",
                "text": "*92%* on node1",
            }
        ]
    }
    await assert_slack(await client.post(hook["path"], json=body), 200, "ok")
    message = await last_message(client, alice, room)
    assert message["content"] == "CPU <high> & rising (https://grafana.example/d/1)\n*92%* on node1"
    assert (
        message["mrkdwn"]
        == "<https://grafana.example/d/1|CPU &lt;high&gt; &amp; rising>\n*92%* on node1"
    )


async def test_messages_typed_in_teahouse_are_markdown(client, alice):
    room = await make_room(client, alice)
    resp = await client.post(
        f"/api/chat/rooms/{room['id']}/messages/", json={"content": "*hi*"}, headers=alice.headers
    )
    assert resp.status == 201
    message = await last_message(client, alice, room)
    assert message["format"] == "markdown" and message["mrkdwn"] is None


async def test_a_slack_import_keeps_its_markup_with_our_usernames(
    aiohttp_client, settings, tmp_path
):
    slack_zip(tmp_path / "slack.zip")
    await asyncio.to_thread(import_slack, settings, tmp_path / "slack.zip")
    client = await aiohttp_client(create_app(settings))
    bob = {
        "Authorization": f"Bearer {await accounts.token_for(client.server.app[core_key], 'bob')}"
    }
    rooms = await (await client.get("/api/chat/rooms/", headers=bob)).json()
    design = next(r for r in rooms if r["name"] == "design")
    page = await (await client.get(f"/api/chat/rooms/{design['id']}/messages/", headers=bob)).json()
    draft = min(page["messages"], key=lambda m: m["id"])
    assert draft["content"] == "Draft for @bob: the mockup (https://example.com/a) & notes"
    assert draft["format"] == "mrkdwn"
    assert draft["mrkdwn"] == "Draft for <@U2|bob>: <https://example.com/a|the mockup> &amp; notes"


def test_unclosed_mentions_cost_linear_time():
    for probe in ("<@U|" * 16_000, "<!here|" * 10_000):
        start = perf_counter()
        assert unescape(probe) == probe
        assert perf_counter() - start < 0.5  # a read to the end per attempt took seconds
