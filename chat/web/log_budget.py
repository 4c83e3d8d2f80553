"""A budget of log lines for an event anyone can cause at will (a malformed request, a
failed accept): a flood writes a few lines and then a count, not a line per event,
so it cannot fill the disk or bury the lines that matter."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable


class LogBudget:
    """At most `lines` lines per `interval` seconds. Lines over the budget are counted;
    with summary given, the count is reported once the interval ends."""

    def __init__(self, lines: int, interval: float, summary: Callable[[int], None] | None = None):
        self.lines = lines
        self.interval = interval
        self.summary = summary
        self.started = -interval
        self.used = 0
        self.dropped = 0

    def take(self) -> int | None:
        """None: leave this line out (it is counted). Else write it: the number of lines
        left out since the last one written (0 when a summary has reported them)."""
        now = time.monotonic()
        if now - self.started >= self.interval:
            self.started, self.used = now, 0
        if self.used >= self.lines:
            if not self.dropped and self.summary is not None:
                asyncio.get_running_loop().call_later(
                    self.started + self.interval - now, self.report
                )
            self.dropped += 1
            return None
        self.used += 1
        dropped, self.dropped = self.dropped, 0
        return dropped

    def report(self) -> None:
        if self.dropped:
            self.summary(self.dropped)
            self.dropped = 0


def storage_failed(where: str, exc: BaseException) -> None:
    """A request or socket frame the database could not serve: while it is away every
    one fails alike, so a few lines per 10 s and then a count, not a line each."""
    if STORAGE_FAILURES.take() is not None:
        logging.getLogger("chat.web").error("storage failed in %s: %s", where, exc)


STORAGE_FAILURES = LogBudget(
    3,
    10.0,
    lambda count: logging.getLogger("chat.web").error("storage failed in %d more", count),
)
