"""Bidirectional overrides, embeddings and isolates (U+202A-202E, U+2066-2069) are taken
out of names and message text on write, whatever the dialect: "\u202egpj.exe" would show
as "exe.jpg". The marks (U+200E, U+200F) stay: right-to-left writers need them."""

from __future__ import annotations

from tests.helpers import make_room, post_message, register

CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


async def test_names_and_messages_are_stored_without_bidi_controls(client, admin):
    carol = await register(client, "carol", display_name="Carol \u202eloraC")
    me = await (await client.get("/api/auth/me", headers=carol.headers)).json()
    assert me["display_name"] == "Carol loraC"
    resp = await client.patch(
        "/api/auth/me", json={"display_name": "\u2067Carol\u2069 \u200f"}, headers=carol.headers
    )
    assert (await resp.json())["display_name"] == "Carol \u200f"
    room = await make_room(client, carol, name="team \u202eteg")
    assert room["name"] == "team teg"
    message = await post_message(client, carol, room, "open inv\u202efdp.exe\u202c \u200eok")
    assert message["content"] == "open invfdp.exe \u200eok"
    resp = await client.patch(
        f"/api/chat/messages/{message['id']}/",
        json={"content": "edited \u202dsneaky"},
        headers=carol.headers,
    )
    assert (await resp.json())["content"] == "edited sneaky"


async def test_a_message_of_bidi_controls_only_is_empty(client, alice):
    room = await make_room(client, alice)
    resp = await client.post(
        f"/api/chat/rooms/{room['id']}/messages/", json={"content": CONTROLS}, headers=alice.headers
    )
    assert resp.status == 400


async def test_a_hook_cannot_post_reordered_text_or_a_reordered_name(client, alice):
    room = await make_room(client, alice)
    resp = await client.post(
        f"/api/chat/rooms/{room['id']}/hooks/", json={"name": "CI\u202e"}, headers=alice.headers
    )
    hook = await resp.json()
    assert hook["name"] == "CI"
    resp = await client.post(
        hook["path"], json={"text": "build \u202edeliaf", "username": "\u2066deploy\u2069"}
    )
    assert resp.status == 200
    resp = await client.get(f"/api/chat/rooms/{room['id']}/messages/", headers=alice.headers)
    last = (await resp.json())["messages"][-1]
    assert last["content"] == "build deliaf"
    assert "deploy" in str(last) and not set(str(last)) & set(CONTROLS)
