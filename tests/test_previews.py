"""Link previews, end to end: a posted link grows a card after commit (never on the send
path), fetched through the outbound door from a loopback site the settings name, cached a
day per URL, its image re-encoded and served from our origin; removable by the author;
off per room or site-wide; budgets per user and for the site. A dial guard fails any
test that dials anything but loopback."""

from __future__ import annotations

import asyncio
import io
import time
from collections import Counter

import pytest
from PIL import Image

from chat.app import create_app
from chat.core.conversation.previews import links_in
from chat.keys import previewer_key
from chat.settings import Settings
from chat.web.page_card import read_card
from tests.helpers import (
    NO_RATE_LIMITS,
    assert_error,
    connect,
    make_room,
    next_frame,
    no_frame,
    post_message,
    register,
)
from tests.websites import (  # noqa: F401 (guard and site are fixtures)
    ALLOWED_HOST,
    OG_PAGE,
    guard,
    hosts_resolver,
    site,
)


@pytest.fixture
def start(aiohttp_client, tmp_path, site):
    async def make(**options):
        allowed = {"outbound_allow_hosts": frozenset({ALLOWED_HOST})}
        settings = Settings(data_dir=tmp_path / "data", **{**NO_RATE_LIMITS, **allowed, **options})
        client = await aiohttp_client(create_app(settings))
        client.server.app[previewer_key].door.resolver = hosts_resolver
        owner = await register(client, "owner")
        room = await make_room(client, owner)
        ws = await connect(client, owner, room)
        return client, owner, room, ws

    return make


async def next_update(ws, timeout: float = 5.0) -> dict:
    return (await next_frame(ws, "message_updated", timeout=timeout))["message"]


async def test_a_posted_link_grows_a_card_with_our_own_copy_of_its_image(start, site, guard):
    client, owner, room, ws = await start()
    sent = await post_message(client, owner, room, f"look: {site.at('/og')}。")
    assert sent["previews"] == []
    updated = await next_update(ws)
    assert updated["id"] == sent["id"]
    [card] = updated["previews"]
    assert card["url"] == site.at("/og")
    assert card["title"] == "Teahouse & friends"
    assert card["description"] == "A chat server for teams. 团队聊天"
    assert card["site_name"] == "Teahouse Docs"
    assert card["image_url"].startswith("/previews/") and card["image_url"].endswith(".jpg")
    resp = await client.get(card["image_url"])
    assert resp.status == 200 and resp.headers["Content-Type"] == "image/jpeg"
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    picture = Image.open(io.BytesIO(await resp.read()))
    assert picture.format == "JPEG" and max(picture.size) == 400
    history = await client.get(f"/api/chat/rooms/{room['id']}/messages/", headers=owner.headers)
    assert any(m["previews"] == [card] for m in (await history.json())["messages"])
    assert set(guard.dialled) == {"127.0.0.1"}  # the test client's and the door's dials
    await ws.close()


async def test_the_send_path_never_waits_for_a_slow_page(start, site):
    client, owner, room, ws = await start(preview_timeout_seconds=1.0)
    started = time.monotonic()
    await post_message(client, owner, room, site.at("/slow"))
    assert time.monotonic() - started < 0.5
    await no_frame(ws, "message_updated", wait=1.5)
    await ws.close()


async def test_a_url_is_fetched_once_a_day(start, site):
    client, owner, room, ws = await start()
    for _ in range(2):
        await post_message(client, owner, room, site.at("/og"))
        assert (await next_update(ws))["previews"][0]["title"] == "Teahouse & friends"
    assert site.hits["/og"] == 1 and site.hits["/img.png"] == 1
    await ws.close()


async def test_an_image_that_is_really_a_script_is_dropped(start, site):
    client, owner, room, ws = await start()
    await post_message(client, owner, room, site.at("/og-script"))
    [card] = (await next_update(ws))["previews"]
    assert card["title"] == "Teahouse & friends" and card["image_url"] is None
    assert site.hits["/script.png"] == 1
    await ws.close()


async def test_an_image_at_a_private_address_is_never_fetched(start, site, guard):
    client, owner, room, ws = await start()
    await post_message(client, owner, room, site.at("/og-away"))
    [card] = (await next_update(ws))["previews"]
    assert card["image_url"] is None
    assert "169.254.169.254" not in guard.dialled
    await ws.close()


@pytest.mark.parametrize(
    "path",
    ["/json", "/redirect?to=http://127.0.0.1/", "/redirect?to=http://169.254.169.254/"],
)
async def test_pages_that_are_not_html_or_lead_inside_get_no_card(start, site, path):
    client, owner, room, ws = await start()
    await post_message(client, owner, room, site.at(path))
    await no_frame(ws, "message_updated", wait=1.0)
    await ws.close()


async def test_a_huge_page_gives_its_card_from_the_first_megabyte(start, site):
    client, owner, room, ws = await start()
    await post_message(client, owner, room, site.at("/huge"))
    assert (await next_update(ws))["previews"][0]["site_name"] == "Teahouse Docs"
    await ws.close()


async def test_loopback_is_refused_when_the_settings_do_not_name_it(start, site):
    client, owner, room, ws = await start(outbound_allow_hosts=frozenset(), metrics=True)
    await post_message(client, owner, room, site.at("/og"))
    await no_frame(ws, "message_updated", wait=1.0)
    assert site.hits == {}
    text = await (await client.get("/metrics")).text()
    assert (
        'teahouse_outbound_requests_total{caller="previews",outcome="private_address"} 1.0' in text
    )
    await ws.close()


async def test_the_author_removes_the_cards_and_nobody_else_may(start, site):
    client, owner, room, ws = await start()
    sent = await post_message(client, owner, room, site.at("/og"))
    await next_update(ws)
    other = await register(client, "other")
    await client.post(f"/api/chat/rooms/{room['id']}/join/", headers=other.headers)
    url = f"/api/chat/messages/{sent['id']}/previews/"
    await assert_error(await client.delete(url, headers=other.headers), 403, "channels")
    resp = await client.delete(url, headers=owner.headers)
    assert resp.status == 200 and (await resp.json())["previews"] == []
    assert (await next_update(ws))["previews"] == []
    stranger_url = "/api/chat/messages/999999/previews/"
    await assert_error(await client.delete(stranger_url, headers=owner.headers), 404, "channels")
    await ws.close()


async def test_room_admins_turn_previews_off_for_their_room(start, site):
    client, owner, room, ws = await start()
    resp = await client.patch(
        f"/api/chat/rooms/{room['id']}/", json={"link_previews": False}, headers=owner.headers
    )
    assert resp.status == 200 and (await resp.json())["link_previews"] is False
    bad = await client.patch(
        f"/api/chat/rooms/{room['id']}/", json={"link_previews": "no"}, headers=owner.headers
    )
    await assert_error(bad, 400, "channels")
    await post_message(client, owner, room, site.at("/og"))
    await no_frame(ws, "message_updated", wait=1.0)
    assert site.hits == {}
    await ws.close()


async def test_the_site_turns_previews_off(start, site):
    client, owner, room, ws = await start(previews=False)
    await post_message(client, owner, room, site.at("/og"))
    await no_frame(ws, "message_updated", wait=1.0)
    assert site.hits == {}
    await ws.close()


async def test_a_sender_over_the_budget_gets_no_more_fetches(start, site):
    client, owner, room, ws = await start(rate_previews=(0.001, 1))
    await post_message(client, owner, room, site.at("/og"))
    await next_update(ws)
    await post_message(client, owner, room, site.at("/og-script"))
    await no_frame(ws, "message_updated", wait=1.0)
    assert "/og-script" not in site.hits
    assert client.server.app[previewer_key].skipped == 1
    await post_message(client, owner, room, site.at("/og"))  # cached: no budget needed
    assert (await next_update(ws))["previews"][0]["title"] == "Teahouse & friends"
    await ws.close()


async def test_metrics_count_the_doors_outcomes(start, site):
    client, owner, room, ws = await start(metrics=True)
    await post_message(client, owner, room, site.at("/og"))
    await next_update(ws)
    await post_message(client, owner, room, site.at("/json"))
    for _ in range(50):
        text = await (await client.get("/metrics")).text()
        if 'outcome="content_type"' in text:
            break
        await asyncio.sleep(0.05)
    assert 'teahouse_outbound_requests_total{caller="previews",outcome="fetched"} 2.0' in text
    assert 'teahouse_outbound_requests_total{caller="previews",outcome="content_type"} 1.0' in text
    await ws.close()


def test_links_are_found_in_english_and_chinese_text():
    text = "see https://a.example/x, and (http://b.example/y)。还有https://c.example/z！"
    assert links_in(text, 5) == ["https://a.example/x", "http://b.example/y", "https://c.example/z"]
    assert links_in(text, 1) == ["https://a.example/x"]
    assert links_in("no links, javascript:alert(1) ftp://x", 3) == []
    assert links_in("wiki: https://w.example/Tea_(drink).", 3) == ["https://w.example/Tea_(drink)"]
    assert links_in('<a href="https://q.example/p">', 3) == ["https://q.example/p"]


def test_the_card_is_read_from_the_head_with_a_real_parser():
    card = read_card(OG_PAGE.format(image="/img.png"), "https://docs.example/a/b")
    assert card.title == "Teahouse & friends"
    assert card.image_url == "https://docs.example/img.png"
    plain = read_card("<title> Only <b>a</b> title </title>", "https://x.example/")
    assert (plain.title, plain.site_name, plain.image_url) == ("Only a title", "x.example", None)
    assert read_card("<p>nothing</p>", "https://x.example/") is None
    sneaky = read_card(
        '<title>t</title><meta property="og:image" content="javascript:alert(1)">',
        "https://x.example/",
    )
    assert sneaky.image_url is None


async def test_with_two_processes_the_committing_one_fetches_once(aiohttp_client, tmp_path, site):
    from tests.redisproc import RedisServer

    redis_server = RedisServer(tmp_path / "redis").start()
    try:
        settings = Settings(
            data_dir=tmp_path / "shared",
            redis_url=redis_server.url,
            backplane_poll_seconds=0.3,
            presence_ttl=3.0,
            outbound_allow_hosts=frozenset({ALLOWED_HOST}),
            **NO_RATE_LIMITS,
        )
        a = await aiohttp_client(create_app(settings))
        b = await aiohttp_client(create_app(settings))
        for client in (a, b):
            client.server.app[previewer_key].door.resolver = hosts_resolver
        owner = await register(a, "owner")
        room = await make_room(a, owner)
        ws_a = await connect(a, owner, room)
        await post_message(b, owner, room, site.at("/og"))  # stored by B, read on A
        assert (await next_update(ws_a))["previews"][0]["title"] == "Teahouse & friends"
        await no_frame(ws_a, "message_updated", wait=0.8)
        assert site.hits["/og"] == 1
        await ws_a.close()
    finally:
        redis_server.stop()


async def test_an_edit_that_drops_a_link_drops_its_card(start, site):
    client, owner, room, ws = await start()
    sent = await post_message(client, owner, room, f"{site.at('/og')} {site.at('/og-script')}")
    assert len((await next_update(ws))["previews"]) == 2
    url = f"/api/chat/messages/{sent['id']}/"
    kept = await client.patch(
        url, json={"content": f"only {site.at('/og')}"}, headers=owner.headers
    )
    assert [card["url"] for card in (await kept.json())["previews"]] == [site.at("/og")]
    gone = await client.patch(url, json={"content": "no links now"}, headers=owner.headers)
    assert (await gone.json())["previews"] == []
    await ws.close()


async def test_only_stored_preview_images_are_served(client):
    for name in ("0" * 32 + ".jpg", "..%2Fteahouse.db", "jwt_secret", "x" * 32 + ".jpg"):
        resp = await client.get(f"/previews/{name}")
        assert resp.status == 404


async def test_a_link_in_two_messages_at_once_is_fetched_once(start, site):
    client, owner, room, ws = await start()
    await post_message(client, owner, room, site.at("/unhurried"))
    await post_message(client, owner, room, f"again {site.at('/unhurried')}")
    for _ in range(2):
        assert (await next_update(ws))["previews"][0]["title"] == "Teahouse & friends"
    assert site.hits["/unhurried"] == 1
    assert client.server.app[previewer_key].in_flight == {}
    await ws.close()
