"""Native search with operators: each alone and combined, in English and Chinese, on
both the trigram index and the bounded scan, never past what the searcher may read, and
every refusal a 400 that names the part. On both engines: the same plan, each engine's
SQL (PostgreSQL has no not-yet-indexed tail: it indexes in the storing statement)."""

import datetime

import pytest

from chat.db.search_index import index_next_batch
from tests.helpers import assert_error, make_room, post_message
from tests.pgcluster import both_engines
from tests.test_uploads import pdf, png
from tests.test_uploads import upload_raw as upload
from tests.threadkit import reply

pytestmark = both_engines
TODAY = datetime.datetime.now(datetime.UTC).date()
YESTERDAY, TOMORROW = TODAY - datetime.timedelta(days=1), TODAY + datetime.timedelta(days=1)


async def contents(client, person, q, **params) -> list[str]:
    resp = await client.get("/api/chat/search/", params={"q": q, **params}, headers=person.headers)
    assert resp.status == 200, await resp.text()
    return [hit["content"] for hit in (await resp.json())["results"]]


async def index_now(core) -> None:
    """SQLite's indexer, run now (PostgreSQL indexes in the storing statement)."""
    if core.db.engine.name == "sqlite":
        while await core.db.write(index_next_batch):
            pass


@pytest.fixture(params=["unindexed", "indexed"])
async def indexed(request, core):
    """Runs a test on the not-yet-indexed tail and again with everything in the index
    (once on PostgreSQL, where nothing waits to be indexed)."""
    if request.param == "unindexed" and core.db.engine.name == "postgres":
        pytest.skip("PostgreSQL indexes a message in the statement that stores it")

    async def settle():
        if request.param == "indexed":
            await index_now(core)

    return settle


@pytest.fixture
async def wei(make_user):
    return await make_user("wei")


@pytest.fixture
async def ops(client, alice, bob, wei):
    room = await make_room(client, alice, name="ops")
    for person in (bob, wei):
        resp = await client.post(f"/api/chat/rooms/{room['id']}/join/", headers=person.headers)
        assert resp.status in (200, 201), await resp.text()
    return room


async def test_from_finds_one_persons_messages(client, alice, bob, wei, ops, indexed):
    await post_message(client, wei, ops, "部署 finished on staging")
    await post_message(client, bob, ops, "部署 failed on staging")
    await indexed()
    assert await contents(client, alice, "from:wei") == ["部署 finished on staging"]
    assert await contents(client, alice, "from:wei staging") == ["部署 finished on staging"]
    assert await contents(client, alice, "from:WEI 部署") == ["部署 finished on staging"]
    assert await contents(client, bob, "from:me staging") == ["部署 failed on staging"]
    assert await contents(client, alice, "from:nobody staging") == []


async def test_in_narrows_to_a_room_by_name_in_any_script(client, alice, ops, indexed):
    yunwei = await make_room(client, alice, name="运维")
    await post_message(client, alice, ops, "restart the cache 缓存")
    await post_message(client, alice, yunwei, "重启 the cache 缓存")
    await indexed()
    assert await contents(client, alice, "in:ops cache") == ["restart the cache 缓存"]
    assert await contents(client, alice, "in:#OPS 缓存") == ["restart the cache 缓存"]
    assert await contents(client, alice, "in:运维 缓存") == ["重启 the cache 缓存"]
    assert await contents(client, alice, f"in:{yunwei['slug']} cache") == ["重启 the cache 缓存"]
    assert await contents(client, alice, "in:nowhere cache") == []
    assert await contents(client, alice, "in:运维 cache", room_id=ops["id"]) == []


async def test_in_a_room_the_searcher_may_not_read_finds_nothing(client, alice, bob, make_user):
    carol = await make_user("carol")
    secret = await make_room(client, alice, room_type="private", name="secret")
    await post_message(client, alice, secret, "the launch code 发射")
    for q in ("in:secret launch", "in:secret", "in:secret 发射", "in:secret has:link"):
        assert await contents(client, carol, q) == [], q
    assert await contents(client, alice, "in:secret launch") == ["the launch code 发射"]


async def test_in_thread_finds_the_root_and_its_replies_only(
    client, alice, bob, make_user, ops, indexed
):
    root = await post_message(client, alice, ops, "release plan 发布")
    await reply(client, bob, root["id"], "release notes are ready 发布说明")
    other = await post_message(client, alice, ops, "release party 发布会")
    await reply(client, bob, other["id"], "release cake 蛋糕")
    await indexed()
    found = await contents(client, alice, f"in:thread:{root['id']} release")
    assert sorted(found) == ["release notes are ready 发布说明", "release plan 发布"]
    assert await contents(client, alice, f"in:thread:{root['id']} 发布说明") == [
        "release notes are ready 发布说明"
    ]
    assert await contents(client, alice, f"in:thread:{other['id']} from:bob") == [
        "release cake 蛋糕"
    ]
    secret = await make_room(client, alice, room_type="private", name="secret")
    hidden = await post_message(client, alice, secret, "release secret 机密")
    await reply(client, alice, hidden["id"], "release date 日期")
    carol = await make_user("carol")
    assert await contents(client, carol, f"in:thread:{hidden['id']} release") == []


async def test_mentions_and_at_me(client, alice, bob, ops, indexed):
    await post_message(client, alice, ops, "@bob please review 评审")
    await post_message(client, alice, ops, "@bobby please review 评审")
    await post_message(client, bob, ops, "@alice thanks 谢谢")
    await indexed()
    assert await contents(client, alice, "mentions:bob") == ["@bob please review 评审"]
    assert await contents(client, alice, "mentions:@BOB review") == ["@bob please review 评审"]
    assert await contents(client, bob, "@me 评审") == ["@bob please review 评审"]
    assert await contents(client, alice, "@me") == ["@alice thanks 谢谢"]
    assert await contents(client, alice, "mentions:carol") == []


async def test_has_link_file_and_image(client, alice, ops, indexed):
    await post_message(client, alice, ops, "plan at https://example.com/plan 计划")
    await post_message(client, alice, ops, "plan in my head 计划")
    assert (await upload(client, alice, "计划.pdf", pdf(), "application/pdf", ops["slug"])).ok
    assert (await upload(client, alice, "plan.png", png(), "image/png", ops["slug"])).ok
    await indexed()
    assert await contents(client, alice, "has:link 计划") == [
        "plan at https://example.com/plan 计划"
    ]
    assert await contents(client, alice, "has:file") == [
        "sent a file: plan.png",
        "sent a file: 计划.pdf",
    ]
    assert await contents(client, alice, "has:image") == ["sent a file: plan.png"]
    assert await contents(client, alice, "has:file 计划") == ["sent a file: 计划.pdf"]
    assert await contents(client, alice, "has:file has:link") == []


async def test_is_pinned_and_is_saved(client, alice, bob, ops, indexed):
    pinned = await post_message(client, alice, ops, "the runbook 手册 lives here")
    saved = await post_message(client, alice, ops, "the other runbook 手册")
    await post_message(client, alice, ops, "no runbook 手册 at all")
    resp = await client.post(f"/api/chat/messages/{pinned['id']}/pin/", headers=alice.headers)
    assert resp.status in (200, 201, 204), await resp.text()
    resp = await client.post(f"/api/chat/messages/{saved['id']}/save/", headers=bob.headers)
    assert resp.status in (200, 201, 204), await resp.text()
    await indexed()
    assert await contents(client, alice, "is:pinned runbook") == ["the runbook 手册 lives here"]
    assert await contents(client, bob, "is:pinned 手册") == ["the runbook 手册 lives here"]
    assert await contents(client, bob, "is:saved runbook") == ["the other runbook 手册"]
    assert await contents(client, alice, "is:saved runbook") == []  # bob's saves are his


async def test_dates_before_after_and_on(client, alice, ops, indexed):
    await post_message(client, alice, ops, "today's standup 站会")
    await indexed()
    found = ["today's standup 站会"]
    assert await contents(client, alice, f"on:{TODAY} standup") == found
    assert await contents(client, alice, f"after:{YESTERDAY} 站会") == found
    assert await contents(client, alice, f"before:{TOMORROW} standup") == found
    assert await contents(client, alice, f"before:{TODAY} standup") == []
    assert await contents(client, alice, f"after:{TODAY} 站会") == []
    assert await contents(client, alice, f"on:{YESTERDAY}") == []


async def test_phrases_and_exclusions(client, alice, ops, indexed):
    await post_message(client, alice, ops, "release notes for 明天的会议")
    await post_message(client, alice, ops, "notes on the release 会议")
    await indexed()
    assert await contents(client, alice, '"release notes"') == ["release notes for 明天的会议"]
    assert await contents(client, alice, '"明天的会议"') == ["release notes for 明天的会议"]
    assert await contents(client, alice, "release -明天") == ["notes on the release 会议"]
    assert await contents(client, alice, "会议 -for") == ["notes on the release 会议"]
    assert await contents(client, alice, '会议 -"the release"') == ["release notes for 明天的会议"]
    assert await contents(client, alice, "-release") == []


async def test_everything_at_once_finds_exactly_those_messages(
    client, alice, bob, wei, ops, indexed
):
    other = await make_room(client, wei, name="random")
    assert (await upload(client, wei, "部署清单.pdf", pdf(), "application/pdf", ops["slug"])).ok
    assert (await upload(client, wei, "部署清单.pdf", pdf(), "application/pdf", other["slug"])).ok
    assert (await upload(client, bob, "部署清单.pdf", pdf(), "application/pdf", ops["slug"])).ok
    await post_message(client, wei, ops, "部署 is done, no file")
    await indexed()
    q = f"from:wei in:ops has:file after:{YESTERDAY} 部署"
    assert await contents(client, alice, q) == ["sent a file: 部署清单.pdf"]
    assert await contents(client, alice, q + " 清单 -草稿") == ["sent a file: 部署清单.pdf"]
    assert await contents(client, alice, q.replace("after:", "before:")) == []


async def test_operators_only_page_through_a_bounded_window(client, alice, wei, ops, monkeypatch):
    from chat.core.conversation import search as search_core

    monkeypatch.setattr(search_core, "SCAN_WINDOW", 3)
    for n in range(5):
        await post_message(client, wei, ops, f"wei {n}")
        await post_message(client, alice, ops, f"alice {n}")
    resp = await client.get(
        "/api/chat/search/", params={"q": "from:wei", "limit": 2}, headers=alice.headers
    )
    body = await resp.json()
    assert [hit["content"] for hit in body["results"]] == ["wei 4", "wei 3"]
    seen, before = [], body["next_before"]
    while before:
        resp = await client.get(
            "/api/chat/search/", params={"q": "from:wei", "before": before}, headers=alice.headers
        )
        body = await resp.json()
        seen += [hit["content"] for hit in body["results"]]
        before = body["next_before"]
    assert seen == ["wei 2", "wei 1", "wei 0"]


@pytest.mark.parametrize(
    "q, part",
    [
        ("colour:red", "colour:red"),
        ("部署 颜色:红 has:files", "has:files"),
        ("has:pdf", "has:pdf"),
        ("is:starred", "is:starred"),
        ("after:2026-13-01", "after:2026-13-01"),
        ("on:tomorrow", "on:tomorrow"),
        ("from:a from:b", "from:b"),
        ("from:", "from:"),
    ],
)
@pytest.mark.parametrize("language", ["en", "zh-CN"])
async def test_bad_operators_are_a_400_naming_the_part(client, alice, q, part, language):
    headers = {**alice.headers, "Accept-Language": language}
    resp = await client.get("/api/chat/search/", params={"q": q}, headers=headers)
    assert part in await assert_error(resp, 400, "channels")


async def test_a_refused_operator_reads_in_chinese(client, alice):
    headers = {**alice.headers, "Accept-Language": "zh-CN,zh;q=0.9"}
    resp = await client.get("/api/chat/search/", params={"q": "colour:red"}, headers=headers)
    assert "搜索运算符" in await assert_error(resp, 400, "channels")


async def test_a_common_term_under_a_filter_reads_the_index_through_a_window(
    client, core, alice, wei, ops, monkeypatch
):
    from chat.core.conversation import search as search_core

    monkeypatch.setattr(search_core, "SCAN_WINDOW", 3)
    for n in range(4):
        await post_message(client, wei, ops, f"deploy by wei {n}")
        await post_message(client, alice, ops, f"deploy by alice {n}")
    await index_now(core)
    seen, before = [], None
    while True:
        params = {"q": "from:wei deploy", **({"before": before} if before else {})}
        resp = await client.get("/api/chat/search/", params=params, headers=alice.headers)
        body = await resp.json()
        # Three candidates read per page: wei's messages (the narrower source, four)
        # rather than the index's eight matches.
        assert len(body["results"]) <= 3
        seen += [hit["content"] for hit in body["results"]]
        if not (before := body["next_before"]):
            break
    assert seen == [f"deploy by wei {n}" for n in (3, 2, 1, 0)]
    if core.db.engine.name == "sqlite":  # PostgreSQL: words alone read windows first
        plain = await client.get("/api/chat/search/", params={"q": "deploy"}, headers=alice.headers)
        assert len((await plain.json())["results"]) == 8  # words alone: the whole index


async def test_an_exclusion_the_index_can_see_does_not_bound_the_search(
    client, core, alice, ops, monkeypatch
):
    from chat.core.conversation import search as search_core

    if core.db.engine.name == "postgres":
        pytest.skip("FTS5's NOT: PostgreSQL reads exclusions in windows, then its index")
    monkeypatch.setattr(search_core, "SCAN_WINDOW", 3)
    await post_message(client, alice, ops, "report for 运维")
    for n in range(4):
        await post_message(client, alice, ops, f"quarterly report {n}")
    await index_now(core)
    resp = await client.get(
        "/api/chat/search/", params={"q": "report -quarterly"}, headers=alice.headers
    )
    body = await resp.json()
    assert [hit["content"] for hit in body["results"]] == ["report for 运维"]
    assert body["next_before"] is None  # found through the index's NOT, not a window
    assert await contents(client, alice, "report -QUARTERLY -运维") == []
