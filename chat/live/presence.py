"""Presence: who has a socket in each room, told to the room's sockets.

Small rooms hear each arrival and departure as it happens (the seeds' user_join /
user_online frames). In a room with more sockets than `coalesce_above`, telling every
socket of every change costs O(sockets²) frames when everyone connects at once, so
changes are gathered and told at most once per `interval` as one PresenceSummary (the
online count and who came and went, the lists capped). A room with no socket left
forgets its pending changes: departed sockets cost nothing once gone.

With several processes (chat/scale/), each keeps its own sockets here and hears of the
others' through `remote`: a user is online in a room while any process has a socket of
theirs there, so tabs on two processes are one presence. `relay` tells the other
processes of this one's changes.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from itertools import islice

from chat.events import Event, PresenceChanged, PresenceSummary
from chat.models import User

MAX_LISTED = 10  # users named per summary list (each socket gets it): the counts are exact


class Presence:
    def __init__(
        self, publish: Callable[[Event], None], coalesce_above: int, interval: float = 1.0
    ):
        self.publish = publish
        self.coalesce_above = coalesce_above
        self.interval = interval
        self.quiet = False  # shutting down: nobody is told of departures
        self._online: dict[int, dict[int, list]] = {}  # room -> user id -> [user, sockets]
        self._pending: dict[int, dict[int, tuple[User, bool]]] = {}
        self._timers: dict[int, asyncio.TimerHandle] = {}
        self._remote: dict[int, dict[int, list]] = {}  # room -> user id -> [user, {process}]
        self.relay: Callable[[int, User, bool], None] | None = None  # set by the backplane
        self.sockets_in: Callable[[int], int] = lambda room_id: 0  # set by the hub

    def arrive(self, room_id: int, user: User, room_sockets: int) -> None:
        entry = self._online.setdefault(room_id, {}).setdefault(user.id, [user, 0])
        entry[0] = user
        entry[1] += 1
        if entry[1] == 1:
            if self.relay:
                self.relay(room_id, user, True)
            if not self._elsewhere(room_id, user.id):
                self._changed(room_id, user, True, room_sockets)

    def depart(self, room_id: int, user: User, room_sockets: int) -> bool:
        """True when this was the user's last socket in the room."""
        users = self._online.get(room_id, {})
        entry = users.get(user.id)
        if entry is None:
            return False
        entry[1] -= 1
        if entry[1] > 0:
            return False
        del users[user.id]
        if self.relay:
            self.relay(room_id, user, False)
        if not users:
            self._forget(room_id)
        elif not self._elsewhere(room_id, user.id):
            self._changed(room_id, user, False, room_sockets)
        return True

    def remote(self, room_id: int, user: User, process: str, online: bool) -> None:
        """Another process's first socket of user in the room opened, or its last closed."""
        users = self._remote.setdefault(room_id, {})
        entry = users.setdefault(user.id, [user, set()])
        was = bool(entry[1])
        entry[0] = user
        (entry[1].add if online else entry[1].discard)(process)
        if not entry[1]:
            del users[user.id]
            if not users:
                del self._remote[room_id]
        if was != online and user.id not in self._online.get(room_id, ()):
            if sockets := self.sockets_in(room_id):
                self._changed(room_id, user, online, sockets)

    def replace_process(self, process: str, entries: list[tuple[int, User]]) -> None:
        """What another process has now ((room, user) of its sockets), replacing what
        this one knew of it; [] when it stopped or stopped answering."""
        now = {(room_id, user.id) for room_id, user in entries}
        for room_id, users in list(self._remote.items()):
            for user, processes in list(users.values()):
                if process in processes and (room_id, user.id) not in now:
                    self.remote(room_id, user, process, False)
        for room_id, user in entries:
            self.remote(room_id, user, process, True)

    def processes(self) -> set[str]:
        """The other processes this one knows to have users online."""
        return {
            process
            for users in self._remote.values()
            for _, processes in users.values()
            for process in processes
        }

    def _elsewhere(self, room_id: int, user_id: int) -> bool:
        return user_id in self._remote.get(room_id, ())

    def users(self, room_id: int, limit: int | None = None) -> list[User]:
        """Users with a socket in the room (in any process), by id; in a room with more
        than limit of them, limit of them (those here first): never a sort or a copy
        of thousands per call, which every socket opening a large room makes."""
        here, remote = self._online.get(room_id, {}), self._remote.get(room_id, {})
        if limit is not None and len(here) + len(remote) > limit:
            found = {uid: entry[0] for uid, entry in islice(here.items(), limit)}
            for uid, entry in islice(remote.items(), limit):
                found.setdefault(uid, entry[0])
            return list(found.values())[:limit]
        users = {uid: entry[0] for uid, entry in remote.items()}
        users.update((uid, entry[0]) for uid, entry in here.items())
        return [users[uid] for uid in sorted(users)]

    def count(self, room_id: int) -> int:
        here, remote = self._online.get(room_id, {}), self._remote.get(room_id)
        if not remote:
            return len(here)
        return len(here.keys() | remote.keys())

    def is_online(self, room_id: int, user_id: int) -> bool:
        return user_id in self._online.get(room_id, ()) or self._elsewhere(room_id, user_id)

    def local(self) -> list[tuple[int, User]]:
        """(room, user) for every user with a socket of this process: what it tells a
        newly started process."""
        return [
            (room_id, entry[0])
            for room_id, users in self._online.items()
            for entry in users.values()
        ]

    def _changed(self, room_id: int, user: User, online: bool, room_sockets: int) -> None:
        if self.quiet:
            return
        pending = self._pending.get(room_id)
        if pending is None and room_sockets <= self.coalesce_above:
            self.publish(PresenceChanged(room_id, user, online))
            return
        pending = self._pending.setdefault(room_id, {})
        earlier = pending.pop(user.id, None)
        if earlier is None or earlier[1] == online:
            pending[user.id] = (user, online)  # else it came and went: nothing to tell
        if room_id not in self._timers:
            self._timers[room_id] = asyncio.get_running_loop().call_later(
                self.interval, self._tell, room_id
            )

    def _tell(self, room_id: int) -> None:
        self._timers.pop(room_id, None)
        pending = self._pending.pop(room_id, {})
        if not pending or self.quiet or room_id not in self._online:
            return
        joined = tuple(u for u, online in pending.values() if online)
        left = tuple(u for u, online in pending.values() if not online)
        self.publish(
            PresenceSummary(
                room_id,
                self.count(room_id),
                joined[:MAX_LISTED],
                left[:MAX_LISTED],
                len(joined),
                len(left),
            )
        )

    def _forget(self, room_id: int) -> None:
        self._online.pop(room_id, None)
        self._pending.pop(room_id, None)
        if timer := self._timers.pop(room_id, None):
            timer.cancel()
