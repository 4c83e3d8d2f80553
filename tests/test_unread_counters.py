"""Unread counts and the notifications badge are counters kept in the same transaction
as each change; they must always agree with a recount of the messages."""

from __future__ import annotations

from tests.helpers import database_before, make_room, post_message
from tests.pgcluster import both_engines

RECOUNT = """
    SELECT COUNT(*) FROM messages y JOIN memberships mb
      ON mb.room_id = y.room_id AND mb.user_id = :user
    WHERE y.room_id = :room AND y.id > mb.last_read_message_id AND y.sender_id != :user
      AND y.message_type != 'system' AND y.is_deleted = 0"""


async def listed_unread(client, person) -> dict[int, int]:
    resp = await client.get("/api/chat/rooms/", headers=person.headers)
    body = await resp.json()
    rooms = body["results"] if isinstance(body, dict) else body
    return {room["id"]: room["unread_count"] for room in rooms if room.get("is_member")}


async def agree(client, core, people, rooms) -> None:
    for person in people:
        listed = await listed_unread(client, person)
        for room in rooms:
            if room["id"] not in listed:
                continue
            recount = (await core.db.fetch_one(RECOUNT, {"user": person.id, "room": room["id"]}))[0]
            assert listed[room["id"]] == recount, (person.username, room["id"])


@both_engines
async def test_unread_counts_agree_with_a_recount_through_sends_deletes_and_reads(
    client, core, alice, bob, make_user
):
    carol = await make_user("carol")
    first = await make_room(client, alice, name="first")
    second = await make_room(client, alice, name="second")
    people, rooms = (alice, bob, carol), (first, second)
    for person in (bob, carol):
        for room in rooms:
            await client.post(f"/api/chat/rooms/{room['id']}/join/", headers=person.headers)
    sent = []
    for i in range(6):
        for person in people:
            sent.append(await post_message(client, person, rooms[i % 2], f"{person.username} {i}"))
    await agree(client, core, people, rooms)
    assert (await listed_unread(client, bob))[first["id"]] == 6  # alice's and carol's
    # Reads, partial and whole, forward only.
    await client.post(f"/api/chat/messages/{sent[4]['id']}/read/", headers=bob.headers)
    await agree(client, core, people, rooms)
    await client.post(f"/api/chat/messages/{sent[1]['id']}/read/", headers=bob.headers)
    await agree(client, core, people, rooms)
    # Deletions before and after someone's read mark, and of one's own message.
    for message in (sent[0], sent[9], sent[10], sent[4]):
        resp = await client.delete(f"/api/chat/messages/{message['id']}/", headers=alice.headers)
        assert resp.status in (200, 204), await resp.text()
        await agree(client, core, people, rooms)
    # A newcomer starts with nothing unread; a leaver and a rejoin start over.
    dave = await make_user("dave")
    await client.post(f"/api/chat/rooms/{first['id']}/join/", headers=dave.headers)
    assert (await listed_unread(client, dave))[first["id"]] == 0
    await post_message(client, carol, first, "for dave")
    await agree(client, core, (*people, dave), rooms)
    await client.post(f"/api/chat/rooms/{first['id']}/leave/", headers=carol.headers)
    await post_message(client, alice, first, "after carol left")
    await client.post(f"/api/chat/rooms/{first['id']}/join/", headers=carol.headers)
    await agree(client, core, (*people, dave), rooms)
    last = await post_message(client, alice, second, "last")
    await client.post(f"/api/chat/messages/{last['id']}/read/", headers=carol.headers)
    assert (await listed_unread(client, carol))[second["id"]] == 0
    await agree(client, core, (*people, dave), rooms)


async def test_the_room_list_does_not_count_messages(client, core, alice, bob):
    """The listing reads the two counters: a wrong counter shows, a recount would not."""
    room = await make_room(client, alice, name="counted")
    await client.post(f"/api/chat/rooms/{room['id']}/join/", headers=bob.headers)
    await post_message(client, alice, room, "one")
    await core.db.write(
        lambda conn: conn.execute(
            "UPDATE rooms SET message_count = message_count + 41 WHERE id = ?", (room["id"],)
        )
    )
    assert (await listed_unread(client, bob))[room["id"]] == 42


async def badge(client, person) -> int:
    resp = await client.get("/api/chat/notifications/unread_count/", headers=person.headers)
    assert resp.status == 200
    return (await resp.json())["unread_count"]


async def test_the_notification_badge_agrees_with_a_recount(client, core, alice, bob):
    room = await make_room(client, alice, name="badge")
    await client.post(f"/api/chat/rooms/{room['id']}/join/", headers=bob.headers)
    for i in range(3):
        await post_message(client, alice, room, f"@bob look {i}")

    async def recount():
        return (
            await core.db.fetch_one(
                "SELECT COUNT(*) FROM notifications WHERE user_id = ? AND is_read = 0", (bob.id,)
            )
        )[0]

    assert await badge(client, bob) == await recount() == 3
    listed = await (await client.get("/api/chat/notifications/", headers=bob.headers)).json()
    await client.post(f"/api/chat/notifications/{listed[0]['id']}/read/", headers=bob.headers)
    await client.post(f"/api/chat/notifications/{listed[0]['id']}/read/", headers=bob.headers)
    assert await badge(client, bob) == await recount() == 2
    await client.post("/api/chat/notifications/read-all/", headers=bob.headers)
    assert await badge(client, bob) == await recount() == 0
    assert await badge(client, alice) == 0


async def test_an_old_database_is_counted_by_the_migration(tmp_path):
    """Counters start from a recount when 0004 meets an existing database."""
    from chat.db import Database

    path = tmp_path / "old.db"
    conn = database_before(path, 4)
    stamp = "2024-01-01T00:00:00.000Z"
    conn.executescript(f"""
        INSERT INTO users (id, username, username_key, created_at, updated_at)
        VALUES (1, 'a', 'a', '{stamp}', '{stamp}'), (2, 'b', 'b', '{stamp}', '{stamp}');
        INSERT INTO memberships (room_id, user_id, joined_at, last_read_message_id)
        VALUES (1, 1, '{stamp}', 0), (1, 2, '{stamp}', 2);
        INSERT INTO messages (room_id, sender_id, content, created_at, updated_at) VALUES
          (1, 1, 'x', '{stamp}', '{stamp}'), (1, 1, 'y', '{stamp}', '{stamp}'),
          (1, 1, 'z', '{stamp}', '{stamp}'), (1, 2, 'w', '{stamp}', '{stamp}');
        INSERT INTO notifications (user_id, notification_type, title, created_at)
        VALUES (2, 'system', 't', '{stamp}');
    """)
    conn.close()
    db = Database(path)
    await db.open()
    try:
        rows = await db.fetch_all(
            """SELECT mb.user_id, r.message_count - mb.seen_count AS unread
               FROM memberships mb JOIN rooms r ON r.id = mb.room_id ORDER BY mb.user_id"""
        )
        assert [(row[0], row[1]) for row in rows] == [(1, 1), (2, 1)]
        badge_row = await db.fetch_one("SELECT unread_notifications FROM users WHERE id = 2")
        assert badge_row[0] == 1
    finally:
        await db.close()


@both_engines
async def test_member_counts_agree_with_a_recount_through_joins_leaves_and_bans(
    client, core, alice, bob, make_user
):
    carol = await make_user("carol")
    room = await make_room(client, alice, name="members")

    async def agree_members():
        counted = (
            await core.db.fetch_one(
                "SELECT COUNT(*) FROM memberships WHERE room_id = ? AND is_banned = 0",
                (room["id"],),
            )
        )[0]
        shown = (
            await (await client.get(f"/api/chat/rooms/{room['id']}/", headers=alice.headers)).json()
        )["member_count"]
        assert shown == counted
        return counted

    for person in (bob, carol):
        await client.post(f"/api/chat/rooms/{room['id']}/join/", headers=person.headers)
    assert await agree_members() == 3
    url = f"/api/chat/rooms/{room['id']}/members/{bob.id}/"
    await client.patch(url, json={"is_banned": True}, headers=alice.headers)
    assert await agree_members() == 2
    await client.patch(url, json={"is_banned": False}, headers=alice.headers)
    assert await agree_members() == 3
    await client.post(f"/api/chat/rooms/{room['id']}/leave/", headers=carol.headers)
    assert await agree_members() == 2
