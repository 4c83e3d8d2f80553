"""Each stream's events delivered in sequence order, each once, whatever the bus does.

Events arrive from this process (after its commits) and from the bus (other
processes' commits), numbered per stream by the database. The next number is
delivered at once; a later one is held while the one before it is missing, and after
a short grace (the bus is usually only a moment behind) the missing ones are fetched
from the event log. A number at or below the last delivered is a duplicate and dropped.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from chat.core import log_failure
from chat.events import Event

log = logging.getLogger(__name__)
FETCH_PAGE = 500

Fetch = Callable[[int, int, int], Awaitable[list[tuple[int, Event]]]]


class Sequencer:
    def __init__(
        self,
        deliver: Callable[[Event], None],
        fetch: Fetch,
        lost: Callable[[int], None],
        grace: float = 0.2,
    ):
        self.deliver = deliver
        self.fetch = fetch  # (stream, after seq, limit) -> [(seq, event)] from the log
        self.lost = lost  # the log no longer has what a stream missed
        self.grace = grace
        self.last: dict[int, int] = {}
        self.heads: dict[int, int] = {}  # the last number the log was seen to reach
        self.held: dict[int, dict[int, Event]] = {}
        self.repairs: dict[int, asyncio.Task] = {}

    def accept(self, stream: int, seq: int, event: Event) -> None:
        last = self.last.get(stream, 0)
        if seq <= last:
            return
        if seq == last + 1:
            self._deliver(stream, seq, event)
            self._drain(stream)
        else:
            self.held.setdefault(stream, {})[seq] = event
            self.repair(stream)

    def behind(self, stream: int, head: int) -> None:
        """The log says the stream reached head: fetch what this process has not seen."""
        if head > self.last.get(stream, 0):
            self.heads[stream] = max(head, self.heads.get(stream, 0))
            self.repair(stream)

    def repair(self, stream: int, grace: float | None = None) -> None:
        if stream not in self.repairs:
            self.repairs[stream] = asyncio.get_running_loop().create_task(
                self._repair(stream, self.grace if grace is None else grace)
            )

    async def close(self) -> None:
        for task in list(self.repairs.values()):
            task.cancel()
        await asyncio.gather(*self.repairs.values(), return_exceptions=True)

    def _deliver(self, stream: int, seq: int, event: Event) -> None:
        self.last[stream] = seq
        try:
            self.deliver(event)
        except Exception:
            log.exception("delivering event %s:%s failed", stream, seq)

    def _drain(self, stream: int) -> None:
        held = self.held.get(stream)
        for seq in [seq for seq in held or () if seq <= self.last.get(stream, 0)]:
            del held[seq]  # fetched from the log meanwhile
        while held and (nxt := self.last.get(stream, 0) + 1) in held:
            self._deliver(stream, nxt, held.pop(nxt))
        if held is not None and not held:
            del self.held[stream]

    async def _repair(self, stream: int, grace: float) -> None:
        try:
            await asyncio.sleep(grace)
            while True:
                head = self.heads.get(stream, 0)  # committed before this fetch
                rows = await self.fetch(stream, self.last.get(stream, 0), FETCH_PAGE)
                for seq, event in rows:
                    last = self.last.get(stream, 0)
                    if seq <= last:
                        continue
                    if seq > last + 1:  # pruned from the log before this process saw it
                        self.lost(stream)
                    self._deliver(stream, seq, event)
                self._drain(stream)
                if len(rows) < FETCH_PAGE:
                    break
            if head > self.last.get(stream, 0):
                # The log no longer has the end of what this process missed (and has
                # nothing later to show the gap): told now, not at the next event.
                self.lost(stream)
                self.last[stream] = head
                self._drain(stream)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log_failure(log, f"repairing stream {stream} failed; the safety poll tries again", exc)
        finally:
            self.repairs.pop(stream, None)
