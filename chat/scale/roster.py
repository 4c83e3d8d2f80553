"""The backplane's roster: which processes serve together, and who has sockets in each.

Presence is not stored: each process keeps its users in a Redis hash
(`teahouse:presence:<process>`, "room:user" -> user) and an alive key, both expiring
unless the process refreshes them, so a crashed process's users go offline by
themselves within `presence_ttl` seconds, and a process that starts learns who is
already online. Arrivals and departures also cross on the bus (chat/scale/backplane.py).
A process that (re)writes its hash (at start, after a reconnect, or when it finds its
own key gone: Redis restarted, or it was silent too long) says "hello" to everyone;
the others read the hash again, send to its inbox from then on and say "welcome", on
which it fetches from the log whatever they published before they knew of it: after
any outage every process agrees again.
"""

from __future__ import annotations

import asyncio

from chat.models import User
from chat.scale import codec

ALIVE = "teahouse:alive:"  # + process: refreshed while the process runs
PRESENCE = "teahouse:presence:"  # + process: hash "room:user" -> user


class ProcessRoster:
    """Half of Backplane, kept apart because it is the other idea: who is alive and who
    is online where. It rides on the bus's Redis client, name (origin), hub, settings
    and outbox (_post, _post_command, _shout), and keeps `peers` (the processes the bus
    sends to) and `_missing` (the processes absent at the last scan) true."""

    def _relay_presence(self, room_id: int, user: User, online: bool) -> None:
        key, field = PRESENCE + self.origin, f"{room_id}:{user.id}"
        if online:
            self._post_command(("hset", key, field, codec.encode(user)))
            self._post_command(("pexpire", key, self._keep_ms))  # a crash leaves no garbage
        else:
            self._post_command(("hdel", key, field))
        self._post("presence", room_id, int(online), codec.encode(user))

    @property
    def _keep_ms(self) -> int:
        """How long this process's keys outlive its last refresh: refreshed every
        presence_ttl/6 and read by the others as often, a process is forgotten (after
        two scans without it) within presence_ttl of its last refresh."""
        return max(100, int(self.settings.presence_ttl * 1000 * 2 / 3))

    async def _heartbeat(self) -> None:
        while True:
            await asyncio.sleep(self.settings.presence_ttl / 6)
            try:
                await self._refresh_presence(announce=False)
            except Exception as exc:  # never stop: without it the others forget us
                self._complain(f"presence refresh failed: {exc!r}")

    async def _refresh_presence(self, announce: bool) -> None:
        """Keep this process alive in Redis; forget processes that are not; when
        (re)connected, or when this process's key had gone (Redis restarted, or this
        process was silent too long and the others forgot its users), rewrite this
        process's users, say hello, and read everyone else's."""
        rewrote = await self._keep_alive(announce)
        alive = {key.decode()[len(ALIVE) :] async for key in self.redis.scan_iter(ALIVE + "*")}
        self.peers |= alive - {self.origin}  # one whose hello was lost is heard of here
        # Gone on two scans in a row: one miss may be a process reconnecting after a
        # Redis restart, which must not make its users leave and come back.
        missing = (self.hub.presence.processes() | self.peers) - alive
        for process in missing & self._missing:
            self.peers.discard(process)
            self.hub.presence.replace_process(process, [])
        self._missing = missing
        if rewrote:
            for process in alive - {self.origin}:
                await self._learn(process)

    async def _keep_alive(self, announce: bool) -> bool:
        """Refresh this process's keys; (re)write its users and say hello when asked or
        when its key had gone. True if it did."""
        mine, alive = PRESENCE + self.origin, ALIVE + self.origin
        pipe = self.redis.pipeline(transaction=True)
        pipe.pexpire(alive, self._keep_ms)
        pipe.pexpire(mine, self._keep_ms)
        was_alive, _ = await pipe.execute()
        if announce or not was_alive:
            # The alive key comes back with the users, never before them: another
            # process that sees it reads the whole hash.
            pipe = self.redis.pipeline(transaction=True)
            pipe.delete(mine)
            for room_id, user in self.hub.presence.local():
                pipe.hset(mine, f"{room_id}:{user.id}", codec.encode(user))
            pipe.pexpire(mine, self._keep_ms)
            pipe.set(alive, "1", px=self._keep_ms)
            self._shout(pipe, "hello")
            await pipe.execute()
        return announce or not was_alive

    async def _learn(self, process: str) -> None:
        """Who has sockets in the other process now, from its hash."""
        entries = []
        for field, user in (await self.redis.hgetall(PRESENCE + process)).items():
            try:
                entries.append((int(field.decode().partition(":")[0]), codec.decode(user)))
            except Exception:  # one bad entry must not cost everyone else's presence
                self._complain(f"ignored an unreadable presence entry of {process}")
        self.hub.presence.replace_process(process, entries)

    async def _say_goodbye(self) -> None:
        pipe = self.redis.pipeline(transaction=False)
        pipe.delete(ALIVE + self.origin, PRESENCE + self.origin)
        self._shout(pipe, "bye")
        await pipe.execute()
