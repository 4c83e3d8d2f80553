"""Slows down password guessing: failures counted per username and per address."""
from __future__ import annotations

import time
from collections import defaultdict, deque

from ..errors import TooManyRequests

WINDOW = 300.0          # failures older than this are forgotten
USER_LIMIT = 5          # failures per username in the window before 429
ADDRESS_LIMIT = 20      # failures per address in the window before 429


class Throttle:
    def __init__(self, window: float = WINDOW, user_limit: int = USER_LIMIT,
                 address_limit: int = ADDRESS_LIMIT):
        self.window = window
        self.limits = {"user": user_limit, "addr": address_limit}
        self.failures: dict[tuple[str, str], deque] = defaultdict(deque)

    def _recent(self, key: tuple[str, str]) -> deque:
        stamps = self.failures[key]
        horizon = time.monotonic() - self.window
        while stamps and stamps[0] < horizon:
            stamps.popleft()
        if not stamps:
            self.failures.pop(key, None)
        return stamps

    def check(self, username: str, address: str | None) -> None:
        for kind, value in (("user", username.lower()), ("addr", address or "")):
            stamps = self._recent((kind, value))
            if len(stamps) >= self.limits[kind]:
                wait = int(stamps[0] + self.window - time.monotonic()) + 1
                raise TooManyRequests("too_many_attempts", seconds=wait)

    def fail(self, username: str, address: str | None) -> None:
        now = time.monotonic()
        self.failures[("user", username.lower())].append(now)
        self.failures[("addr", address or "")].append(now)

    def succeed(self, username: str) -> None:
        self.failures.pop(("user", username.lower()), None)
