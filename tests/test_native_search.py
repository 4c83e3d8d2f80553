"""Native: full-text search — Chinese, English, emoji, hostile queries, safe snippets,
paging, and never a word of a room the searcher may not read."""

import re

import pytest

from chat.core.conversation import search as search_core
from tests.helpers import assert_error, make_room, post_message


async def find(client, person, q, **params) -> dict:
    resp = await client.get("/api/chat/search/", params={"q": q, **params}, headers=person.headers)
    assert resp.status == 200, await resp.text()
    return await resp.json()


async def contents(client, person, q, **params) -> list[str]:
    return [hit["content"] for hit in (await find(client, person, q, **params))["results"]]


@pytest.fixture
async def room(client, alice):
    return await make_room(client, alice)


async def test_a_two_character_chinese_word_is_found(client, alice, room):
    await post_message(client, alice, room, "明天的会议改到三点")
    await post_message(client, alice, room, "今天没有安排")
    assert await contents(client, alice, "会议") == ["明天的会议改到三点"]
    assert await contents(client, alice, "会议改到") == ["明天的会议改到三点"]
    assert await contents(client, alice, "会") == ["明天的会议改到三点"]


async def test_english_is_case_insensitive_and_every_term_must_match(client, alice, room):
    await post_message(client, alice, room, "Deploy the Release on Friday")
    await post_message(client, alice, room, "release notes are late")
    assert await contents(client, alice, "RELEASE") == [
        "release notes are late",
        "Deploy the Release on Friday",
    ]
    assert await contents(client, alice, "release friday") == ["Deploy the Release on Friday"]
    assert await contents(client, alice, "ease") == [
        "release notes are late",
        "Deploy the Release on Friday",
    ]
    assert await contents(client, alice, "release on") == ["Deploy the Release on Friday"]
    assert await contents(client, alice, "nothing-like-this") == []


async def test_mixed_scripts_and_emoji_are_found(client, alice, room):
    await post_message(client, alice, room, "Deploy 部署 tonight 🚀🚀")
    await post_message(client, alice, room, "party 🎉")
    assert await contents(client, alice, "部署") == ["Deploy 部署 tonight 🚀🚀"]
    assert await contents(client, alice, "deploy 部署") == ["Deploy 部署 tonight 🚀🚀"]
    assert await contents(client, alice, "y 部署 t") == ["Deploy 部署 tonight 🚀🚀"]
    assert await contents(client, alice, "🚀") == ["Deploy 部署 tonight 🚀🚀"]
    assert await contents(client, alice, "tonight 🚀🚀") == ["Deploy 部署 tonight 🚀🚀"]
    assert await contents(client, alice, "🎉") == ["party 🎉"]


@pytest.mark.parametrize(
    "query",
    [
        '"',
        '""',
        '"quoted"',
        "NEAR(a b)",
        "a* OR b",
        "^abc",
        "'; DROP TABLE messages; --",
        "%",
        "_",
        "\\",
        "*",
        "(",
        ")",
        "AND",
    ],
)
async def test_query_syntax_is_plain_text(client, alice, room, query):
    """FTS5 and SQL syntax means nothing; our own operators (-word, from:…, "phrase")
    are tests/test_search_operators.py's."""
    await post_message(client, alice, room, "an ordinary message")
    await post_message(client, alice, room, f"literally {query} here")
    found = await contents(client, alice, query)
    assert found == [f"literally {query} here"]
    assert len(await contents(client, alice, "ordinary")) == 1


async def test_control_characters_in_a_query_separate_terms(client, alice, room):
    await post_message(client, alice, room, "alpha beta")
    assert await contents(client, alice, "alpha\x00beta") == ["alpha beta"]
    assert await contents(client, alice, "alp\x00\x07zz") == []


async def test_private_text_never_reaches_a_non_member(client, alice, bob, make_user):
    carol = await make_user("carol")
    private = await make_room(client, alice, room_type="private", name="secret")
    public = await make_room(client, bob)
    await post_message(client, alice, private, "the launch code is 会议室 alpha")
    await post_message(client, bob, public, "public alpha news 会议室")
    direct = await (
        await client.post("/api/chat/direct/", json={"username": "bob"}, headers=alice.headers)
    ).json()
    await post_message(client, alice, {"id": direct["id"]}, "direct alpha 会议室 whisper")
    for q in ("alpha", "会议室", "会议", "al", "launch"):
        hits = (await find(client, carol, q))["results"]
        assert all(h["room"]["id"] == public["id"] for h in hits), (q, hits)
    assert len(await contents(client, alice, "alpha")) == 3
    assert await contents(client, bob, "launch") == []
    resp = await client.get(
        "/api/chat/search/", params={"q": "alpha", "room_id": private["id"]}, headers=carol.headers
    )
    await assert_error(resp, 403, "channels")


async def test_banned_and_departed_members_stop_finding_private_text(client, alice, bob):
    private = await make_room(client, alice, room_type="private")
    await client.post(
        f"/api/chat/rooms/{private['id']}/invite/", json={"username": "bob"}, headers=alice.headers
    )
    await client.post(f"/api/chat/rooms/{private['id']}/join/", headers=bob.headers)
    await post_message(client, alice, private, "quarterly numbers")
    assert len(await contents(client, bob, "quarterly")) == 1
    await client.patch(
        f"/api/chat/rooms/{private['id']}/members/{bob.id}/",
        json={"is_banned": True},
        headers=alice.headers,
    )
    assert await contents(client, bob, "quarterly") == []
    assert await contents(client, bob, "qu") == []


async def test_deleted_and_system_messages_are_not_found(client, alice, bob, room):
    gone = await post_message(client, alice, room, "remove this sentence")
    await client.delete(f"/api/chat/messages/{gone['id']}/", headers=alice.headers)
    await client.post(f"/api/chat/rooms/{room['id']}/join/", headers=bob.headers)
    assert await contents(client, alice, "sentence") == []
    assert await contents(client, alice, "se") == []
    assert await contents(client, alice, "joined") == []
    assert await contents(client, alice, "deleted") == []


async def test_edited_messages_are_found_by_their_new_text(client, alice, room):
    message = await post_message(client, alice, room, "see you at noon")
    await client.patch(
        f"/api/chat/messages/{message['id']}/",
        json={"content": "see you at dusk"},
        headers=alice.headers,
    )
    assert await contents(client, alice, "noon") == []
    assert await contents(client, alice, "dusk") == ["see you at dusk"]


async def test_results_carry_message_room_and_a_safe_snippet(client, alice, room):
    message = await post_message(
        client, alice, room, '<script>alert("x")</script> & the Meeting <b>'
    )
    result = (await find(client, alice, "meeting"))["results"][0]
    assert result["id"] == message["id"]
    assert result["sender"]["username"] == "alice"
    assert result["room"] == {"id": room["id"], "slug": room["slug"], "name": "team"}
    snippet = result["snippet"]
    assert snippet == (
        "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; the <mark>Meeting</mark> &lt;b&gt;"
    )
    assert re.findall(r"<[^>]*>", snippet) == ["<mark>", "</mark>"]


async def test_snippet_of_a_long_message_is_a_window_around_the_match(client, alice, room):
    await post_message(client, alice, room, "a" * 300 + " needle " + "b" * 300)
    snippet = (await find(client, alice, "needle"))["results"][0]["snippet"]
    assert snippet.startswith("…") and snippet.endswith("…")
    assert "<mark>needle</mark>" in snippet
    assert len(snippet) < 200


async def test_results_page_newest_first_with_next_before(client, alice, room):
    ids = [(await post_message(client, alice, room, f"report {n}"))["id"] for n in range(5)]
    first = await find(client, alice, "report", limit=2)
    assert [h["id"] for h in first["results"]] == ids[:-3:-1]
    assert first["next_before"] == ids[3]
    second = await find(client, alice, "report", limit=2, before=first["next_before"])
    assert [h["id"] for h in second["results"]] == [ids[2], ids[1]]
    last = await find(client, alice, "report", limit=2, before=second["next_before"])
    assert [h["id"] for h in last["results"]] == [ids[0]]
    assert last["next_before"] is None


async def test_room_id_narrows_the_search(client, alice, room):
    other = await make_room(client, alice, name="other")
    await post_message(client, alice, room, "status green")
    await post_message(client, alice, other, "status red")
    assert await contents(client, alice, "status", room_id=room["slug"]) == ["status green"]
    assert await contents(client, alice, "st", room_id=other["id"]) == ["status red"]


async def test_short_queries_scan_a_bounded_window_and_can_continue(
    client, alice, room, monkeypatch
):
    monkeypatch.setattr(search_core, "SCAN_WINDOW", 3)
    old = await post_message(client, alice, room, "ok 好")
    newer = [(await post_message(client, alice, room, f"filler {n}"))["id"] for n in range(3)]
    first = await find(client, alice, "好")
    assert first["results"] == [] and first["next_before"] == newer[0]
    second = await find(client, alice, "好", before=first["next_before"])
    assert [h["id"] for h in second["results"]] == [old["id"]]
    assert second["next_before"] is None


@pytest.mark.parametrize(
    "params",
    [
        {"q": ""},
        {"q": "   "},
        {},
        {"q": "x" * 201},
        {"q": "\x00"},
        {"q": "ok", "limit": "0"},
        {"q": "ok", "limit": "lots"},
        {"q": "ok", "before": "-1"},
    ],
)
async def test_bad_queries_are_400(client, alice, params):
    resp = await client.get("/api/chat/search/", params=params, headers=alice.headers)
    await assert_error(resp, 400, "channels")


async def test_search_needs_a_token_and_an_existing_room(client, alice):
    await assert_error(await client.get("/api/chat/search/?q=hello"), 401, "channels")
    resp = await client.get(
        "/api/chat/search/", params={"q": "hi", "room_id": "nope"}, headers=alice.headers
    )
    await assert_error(resp, 404, "channels")
