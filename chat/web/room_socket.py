"""The seeds' per-room sockets (/ws/chat/{room}/ and v1's): one seat, in one room."""

from __future__ import annotations

from chat.core.conversation import rooms
from chat.core.fields import check_int
from chat.live.client import Seat
from chat.web.replay import replay
from chat.web.sockets import SocketSession


class RoomSession(SocketSession):
    """One room's socket (/ws/chat/{room}/, v1's): admitted once, closed by a ban,
    a leave or the room's deletion."""

    __slots__ = ("since_id",)

    async def open(self) -> None:
        """Where (sign_in said who); raises ChatError before anything is registered."""
        room_ref = self.request.match_info["room"]
        since = self.request.query.get("since")
        self.since_id = None if since in (None, "") else check_int("since", since, 0, 2**62)
        room, membership = await rooms.open_for_socket(self.core, self.user, room_ref)
        self.conn = self.connection()
        self.conn.seats[room.id] = Seat(room, bool(membership and membership.is_muted))

    async def greet(self) -> None:
        seat = self.seat(None)
        hub = self.core.hub
        room_id = seat.room.id
        online = hub.online_in(room_id, hub.presence.coalesce_above)
        for text in self.dialect.greeting(
            self.user, seat.room, online, hub.online_count(room_id), self.language
        ):
            await self.send_now(text)
        if self.since_id is not None:
            await replay(self, room_id, self.since_id)
