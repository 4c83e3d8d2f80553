"""Replaying stored messages to a socket that resumes (?since=, the user socket's
resume frame): straight to the socket, before any live frame, bounded by core's
replay limit. A client that closes meanwhile is answered at once, not after the whole
replay: it can be megabytes, and RFC 6455 wants a close answered when it comes."""

from __future__ import annotations

from aiohttp import WSMsgType

from chat.core.conversation import messages

FIRST_PAGE = 50  # a first page shorter than this is the whole resume: no "fits?" query
PAGE = 500
LOOK_EVERY = 16  # replayed messages between two looks for the client's close
ENDED = (WSMsgType.CLOSE, WSMsgType.CLOSING, WSMsgType.CLOSED, WSMsgType.ERROR)


async def replay(session, room_id: int, after_id: int) -> None:
    """Messages after after_id to a SocketSession's socket; a gap longer than the bounded
    replay gets the dialect's history_gap frame instead (refetch over REST). A first
    page shorter than FIRST_PAGE is the whole replay (and fits): the usual resume after
    a blip skips the "fits?" query, one of its three round trips to the replay
    connection's thread; only a full first page asks, then reads on."""
    seat = session.conn.seats.get(room_id)
    if seat is None:
        return
    dialect, core = session.dialect, session.core
    page = await messages.replay_after(core, room_id, after_id, FIRST_PAGE)
    size = FIRST_PAGE
    if len(page) == FIRST_PAGE and not await messages.replay_fits(core, room_id, after_id):
        await session.send_now(dialect.render_gap(room_id, after_id, messages.REPLAY_LIMIT))
        return
    while True:
        for number, message in enumerate(page):
            if number % LOOK_EVERY == 0 and await client_closed(session):
                return
            await session.send_now(dialect.render_message(message))
            after_id = seat.replayed_upto = message.id
        if len(page) < size:
            return
        page, size = await messages.replay_after(core, room_id, after_id, PAGE), PAGE


async def client_closed(session) -> bool:
    """Reads, without waiting, what the client sent since; True once it has closed
    (aiohttp has answered). Its other frames wait in session.early for the read loop."""
    while True:
        try:
            msg = await session.ws.receive(timeout=1e-6)
        except TimeoutError:
            return False
        if msg.type in ENDED:
            return True
        session.early = (session.early or []) + [msg]
