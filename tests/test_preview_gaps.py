"""Link previews after an edit, and the sweep of stored pictures: a link an edit adds is
fetched after the edit's commit and its card joins the others; a link it drops loses
its card; a picture nothing names any more is deleted by the daily chore, one still
named (or too young to judge) stays."""

from __future__ import annotations

import os
import time

from chat.keys import core_key
from chat.web import chores, preview_images
from tests.helpers import no_frame, post_message
from tests.test_previews import next_update, start  # noqa: F401 (start is a fixture)
from tests.websites import guard, site  # noqa: F401 (fixtures)


async def edit(client, person, message_id: int, content: str) -> dict:
    resp = await client.patch(
        f"/api/chat/messages/{message_id}/", json={"content": content}, headers=person.headers
    )
    assert resp.status == 200, await resp.text()
    return await resp.json()


async def test_a_link_an_edit_adds_grows_a_card_beside_the_others(start, site):
    client, owner, room, ws = await start()
    sent = await post_message(client, owner, room, f"first {site.at('/og')}")
    assert [c["url"] for c in (await next_update(ws))["previews"]] == [site.at("/og")]
    added = f"{site.at('/og-script')} then {site.at('/og')}"
    edited = await edit(client, owner, sent["id"], added)
    assert [c["url"] for c in edited["previews"]] == [site.at("/og")]  # the edit's answer
    assert (await next_update(ws))["content"] == added  # the edit itself
    updated = await next_update(ws)  # then the card of the link it added
    assert [c["url"] for c in updated["previews"]] == [site.at("/og-script"), site.at("/og")]
    assert site.hits["/og-script"] == 1 and site.hits["/og"] == 1
    await edit(client, owner, sent["id"], f"{added} 改好了")  # no new link: nothing fetched
    assert (await next_update(ws))["content"].endswith("改好了")
    await no_frame(ws, "message_updated", wait=0.8)
    assert site.hits["/og-script"] == 1
    dropped = await edit(client, owner, sent["id"], f"only {site.at('/og-script')}")
    assert [c["url"] for c in dropped["previews"]] == [site.at("/og-script")]
    await ws.close()


async def test_no_fetch_for_an_edit_when_previews_are_off(start, site):
    client, owner, room, ws = await start(previews=False)
    sent = await post_message(client, owner, room, "no link yet")
    await edit(client, owner, sent["id"], f"now {site.at('/og')}")
    await next_update(ws)  # the edit
    await no_frame(ws, "message_updated", wait=0.8)
    assert site.hits["/og"] == 0
    await ws.close()


async def test_pictures_nothing_names_are_swept_by_the_daily_chores(start, site):
    client, owner, room, ws = await start()
    core = client.server.app[core_key]
    sent = await post_message(client, owner, room, site.at("/og"))
    [card] = (await next_update(ws))["previews"]
    store = preview_images.folder(core.settings)
    named = store / card["image_url"].rsplit("/", 1)[1]
    unnamed, young = store / ("0" * 32 + ".jpg"), store / ("f" * 32 + ".jpg")
    unnamed.write_bytes(b"a picture whose card is long gone")
    young.write_bytes(b"a picture whose fetch has not committed yet")
    old = time.time() - 2 * preview_images.SWEEP_GRACE_SECONDS
    for picture in (named, unnamed):
        os.utime(picture, (old, old))
    await run_daily(core)
    assert named.exists() and young.exists() and not unnamed.exists()
    resp = await client.delete(f"/api/chat/messages/{sent['id']}/previews/", headers=owner.headers)
    assert resp.status == 200, await resp.text()
    await run_daily(core)
    assert named.exists()  # the URL's cache row still names it: a repost shows it at once
    await core.db.write(
        lambda conn: conn.execute("UPDATE link_previews SET fetched_at = '2026-01-01T00:00:00Z'")
    )
    await run_daily(core)  # a day later: the cache row expires, then its picture goes
    assert not named.exists() and young.exists()
    assert (await client.get(card["image_url"])).status == 404
    await ws.close()


async def run_daily(core) -> None:
    for chore in chores.DAILY:
        await chore(core)
