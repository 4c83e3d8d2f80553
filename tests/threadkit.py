"""Helpers for the thread tests: a reply, a thread page, the Threads view, room unread."""

from __future__ import annotations


async def reply(client, person, message_id: int, content: str, **extra) -> dict:
    resp = await client.post(
        f"/api/chat/threads/{message_id}/messages/",
        json={"content": content, **extra},
        headers=person.headers,
    )
    assert resp.status == 201, await resp.text()
    return await resp.json()


async def thread(client, person, message_id: int, **query) -> dict:
    resp = await client.get(
        f"/api/chat/threads/{message_id}/messages/", params=query, headers=person.headers
    )
    assert resp.status == 200, await resp.text()
    return await resp.json()


async def threads_view(client, person, **query) -> dict:
    resp = await client.get("/api/chat/threads/", params=query, headers=person.headers)
    assert resp.status == 200, await resp.text()
    return await resp.json()


async def room_unread(client, person, room) -> int:
    rooms = await (await client.get("/api/chat/rooms/", headers=person.headers)).json()
    return next(r for r in rooms if r["id"] == room["id"])["unread_count"]


async def join(client, person, room) -> None:
    resp = await client.post(f"/api/chat/rooms/{room['id']}/join/", headers=person.headers)
    assert resp.status in (200, 201), await resp.text()
