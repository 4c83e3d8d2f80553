"""Slows down password guessing: failures counted per username and per address."""
from __future__ import annotations

import time
from collections import Counter, defaultdict, deque
from contextlib import contextmanager
from typing import Iterator

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
        self.pending: Counter[tuple[str, str]] = Counter()
        self.refused = 0  # attempts answered 429, for /metrics

    def _recent(self, key: tuple[str, str]) -> deque:
        stamps = self.failures[key]
        horizon = time.monotonic() - self.window
        while stamps and stamps[0] < horizon:
            stamps.popleft()
        if not stamps:
            self.failures.pop(key, None)
        return stamps

    @staticmethod
    def _keys(username: str, address: str | None) -> tuple[tuple[str, str], ...]:
        return (("user", username.lower()), ("addr", address or ""))

    @contextmanager
    def attempt(self, username: str, address: str | None) -> Iterator[None]:
        """Refuse (429) over the limit, else count this attempt as pending until it
        ends: parallel guesses cannot all pass the check before one has failed."""
        keys = self._keys(username, address)
        for key in keys:
            stamps = self._recent(key)
            if len(stamps) + self.pending[key] >= self.limits[key[0]]:
                wait = int(stamps[0] + self.window - time.monotonic()) + 1 if stamps else 1
                self.refused += 1
                raise TooManyRequests("too_many_attempts", seconds=wait)
        for key in keys:
            self.pending[key] += 1
        try:
            yield
        finally:
            for key in keys:
                self.pending[key] -= 1
                if not self.pending[key]:
                    del self.pending[key]

    def fail(self, username: str, address: str | None) -> None:
        now = time.monotonic()
        for key in self._keys(username, address):
            self.failures[key].append(now)

    def succeed(self, username: str) -> None:
        self.failures.pop(("user", username.lower()), None)
