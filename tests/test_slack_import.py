"""`server.py import-slack`: a Slack export zip becomes users, rooms, memberships and
messages with their times, reactions and threads as replies."""

from __future__ import annotations

import asyncio
import json
import zipfile
from dataclasses import replace

import pytest

from chat.app import create_app
from chat.core.people import accounts
from chat.keys import core_key
from chat.ops.importing import ImportFailed
from chat.ops.postgres_move import move_to_postgres
from chat.ops.slack import import_slack
from tests.pgcluster import both_engines
from tests.serverproc import run_cli

USERS = [
    {
        "id": "U1",
        "name": "alice",
        "real_name": "Alice Liddell",
        "is_admin": True,
        "profile": {"display_name": "Alice"},
    },
    {"id": "U2", "name": "bob", "profile": {"real_name": "Bob Builder"}},
    {"id": "U3", "name": "Alice", "profile": {}},  # the same name in another case
]
CHANNELS = [
    {
        "id": "C1",
        "name": "general",
        "is_general": True,
        "created": 1700000000,
        "creator": "U1",
        "members": ["U1", "U2", "U3"],
        "purpose": {"value": "Everyone"},
    },
    {
        "id": "C2",
        "name": "design",
        "created": 1700000100,
        "creator": "U1",
        "members": ["U1", "U2"],
        "purpose": {"value": "Pixels & fonts"},
    },
]
DAY1 = [
    {
        "type": "message",
        "subtype": "channel_join",
        "user": "U2",
        "text": "<@U2> has joined",
        "ts": "1700000200.000100",
    },
    {
        "type": "message",
        "user": "U1",
        "text": "Draft for <@U2>: <https://example.com/a|the mockup> &amp; notes",
        "ts": "1700000300.000200",
        "thread_ts": "1700000300.000200",
        "reactions": [
            {"name": "thumbsup", "users": ["U2"], "count": 1},
            {"name": "+1", "users": ["U2"], "count": 1},
            {"name": "partyparrot", "users": ["U1"], "count": 1},
        ],
    },
    {
        "type": "message",
        "subtype": "bot_message",
        "username": "deploybot",
        "text": "deployed v2",
        "ts": "1700000400.000300",
    },
]
DAY2 = [
    {
        "type": "message",
        "user": "U2",
        "text": "Looks great",
        "ts": "1700086400.000100",
        "thread_ts": "1700000300.000200",
        "parent_user_id": "U1",
        "edited": {"user": "U2", "ts": "1700086500.000000"},
    },
    {
        "type": "message",
        "user": "U2",
        "text": "",
        "ts": "1700086600.000100",
        "files": [{"name": "logo.svg"}],
    },
]
GENERAL = [{"type": "message", "user": "U3", "text": "hello <!channel>", "ts": "1700000050.000000"}]


def slack_zip(path, **override) -> None:
    files = {
        "users.json": USERS,
        "channels.json": CHANNELS,
        "design/2023-11-14.json": DAY1,
        "design/2023-11-15.json": DAY2,
        "general/2023-11-14.json": GENERAL,
        **override,
    }
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data if isinstance(data, str) else json.dumps(data))


async def imported(settings, zip_path) -> dict:
    """The counts of `server.py import-slack`; on PostgreSQL the documented way: into a
    new SQLite site, then `server.py migrate-to-postgres` into the test's database."""
    if settings.database_url is None:
        return await asyncio.to_thread(import_slack, settings, zip_path)
    sqlite_site = replace(settings, database_url=None)
    counts = await asyncio.to_thread(import_slack, sqlite_site, zip_path)
    result = await move_to_postgres(sqlite_site, settings.database_url, say=lambda line: None)
    assert all(check.same for check in result.checks)
    return counts


@both_engines
async def test_a_slack_export_becomes_rooms_messages_threads_and_reactions(
    aiohttp_client, settings, tmp_path
):
    slack_zip(tmp_path / "slack.zip")
    counts = await imported(settings, tmp_path / "slack.zip")
    assert counts == {"users": 3, "rooms": 1, "memberships": 5, "messages": 5, "uploads": 0}
    client = await aiohttp_client(create_app(settings))
    core = client.server.app[core_key]
    bob = {"Authorization": f"Bearer {await accounts.token_for(core, 'bob')}"}

    rooms = await (await client.get("/api/chat/rooms/", headers=bob)).json()
    listed = rooms if isinstance(rooms, list) else rooms["results"]
    design = next(r for r in listed if r["name"] == "design")
    assert design["description"] == "Pixels & fonts"
    page = await (
        await client.get(f"/api/chat/rooms/{design['id']}/messages/?page_size=50", headers=bob)
    ).json()
    messages = sorted(page["messages"], key=lambda m: m["id"])
    assert [m["content"] for m in messages] == [
        "Draft for @bob: the mockup (https://example.com/a) & notes",
        "deploybot: deployed v2",
        "Looks great",
        "📎 logo.svg",
    ]
    draft, bot, reply, _ = messages
    assert draft["created_at"] == "2023-11-14T22:18:20.000Z"
    assert reply["reply_to"] == draft["id"] and reply["is_edited"] is True
    assert bot["sender"] is None or bot.get("sender_id") is None
    assert {(r["emoji"], r["count"]) for r in draft["reactions"]} == {
        ("👍", 1),
        (":partyparrot:", 1),
    }

    general = await (await client.get("/api/chat/rooms/global/messages/", headers=bob)).json()
    assert [m["content"] for m in general["messages"]] == ["hello @channel"]
    # Imported accounts have no password: a token from `server.py token` lets one be set.
    resp = await client.patch("/api/auth/me", json={"password": "a new password"}, headers=bob)
    assert resp.status == 200, await resp.text()
    resp = await client.post(
        "/api/auth/login", json={"username": "bob", "password": "a new password"}
    )
    assert resp.status == 200
    me = await (await client.get("/api/auth/me", headers=bob)).json()
    assert me["display_name"] == "Bob Builder" and me["is_admin"] is False
    alice = {"Authorization": f"Bearer {await accounts.token_for(core, 'alice')}"}
    assert (await (await client.get("/api/auth/me", headers=alice)).json())["is_admin"] is True
    assert (
        await client.get(
            "/api/auth/me",
            headers={"Authorization": f"Bearer {await accounts.token_for(core, 'Alice2')}"},
        )
    ).status == 200


async def test_a_broken_slack_export_is_refused_and_leaves_nothing(settings, tmp_path):
    for name, override in [
        ("no-users", {"users.json": "not json"}),
        (
            "bad-ts",
            {
                "design/2023-11-14.json": [
                    {"type": "message", "user": "U1", "text": "x", "ts": "soon"}
                ]
            },
        ),
    ]:
        slack_zip(tmp_path / f"{name}.zip", **override)
        target = replace(settings, data_dir=tmp_path / name)
        with pytest.raises(ImportFailed):
            await asyncio.to_thread(import_slack, target, tmp_path / f"{name}.zip")
        assert not target.database_path.exists()
    (tmp_path / "plain.zip").write_text("not a zip")
    with pytest.raises(ImportFailed, match="zip"):
        await asyncio.to_thread(import_slack, settings, tmp_path / "plain.zip")


async def test_an_import_into_a_postgresql_site_says_to_import_then_move(settings, tmp_path):
    """An import writes a new SQLite file, which a PostgreSQL site would never read: it
    is refused, naming the way there, and writes nothing."""
    slack_zip(tmp_path / "slack.zip")
    site = replace(settings, database_url="postgresql://chat@127.0.0.1:1/teahouse")
    with pytest.raises(ImportFailed, match="migrate-to-postgres"):
        await asyncio.to_thread(import_slack, site, tmp_path / "slack.zip")
    assert not site.database_path.exists()


@pytest.mark.slow
def test_import_slack_runs_from_the_command_line(tmp_path):
    slack_zip(tmp_path / "slack.zip")
    done = run_cli(tmp_path / "data", "import-slack", str(tmp_path / "slack.zip"))
    assert done.returncode == 0, done.stderr
    assert "imported 3 users" in done.stdout and "5 messages" in done.stdout
    again = run_cli(tmp_path / "data", "import-slack", str(tmp_path / "slack.zip"))
    assert again.returncode == 1 and "already holds a database" in again.stderr
