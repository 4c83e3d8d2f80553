"""Slows down password guessing without locking the rightful owner out (OWASP).

Three counts of attempts in a sliding window, each attempt counted before its password
is checked (parallel guesses cannot all slip past) and forgotten again if it succeeds:

- a (username, address) pair that keeps failing is refused (429): one client guessing
  one account;
- an address that keeps failing for any usernames is refused: one client spraying;
- a username failing from many addresses is only slowed down: each attempt waits a
  delay that doubles with the failures, up to a cap, and is then checked as usual. An
  address the user signed in from lately skips the wait. Refusing here would let
  anyone lock anyone out by guessing their username wrong from somewhere.

The counts live behind AttemptStore (timestamps per key), so a shared store (Redis
sorted sets) can count across processes; MemoryStore serves one process.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from typing import Protocol

from chat.errors import TooManyRequests

WINDOW = 300.0  # attempts older than this are forgotten
BASE_DELAY = 1.0  # the first wait; doubles with each further failure
MAX_DELAY = 8.0
KNOWN_FOR = 30 * 86400.0  # an address a user signed in from skips the wait this long
MAX_KEYS = 100_000  # MemoryStore forgets the oldest keys beyond this


class AttemptStore(Protocol):
    async def hit(self, key: str, stamp: float, window: float) -> list[float]:
        """Add stamp, drop stamps older than stamp - window; the rest, oldest first."""

    async def recent(self, key: str, since: float) -> list[float]: ...
    async def discard(self, key: str, stamp: float) -> None: ...
    async def clear(self, key: str) -> None: ...


class MemoryStore:
    """Keys in least-recently-hit order: each hit drops the expired keys at the front,
    and beyond max_keys the least recent go (a flood of usernames cannot grow memory)."""

    def __init__(self, max_keys: int = MAX_KEYS):
        self.max_keys = max_keys
        self.stamps: OrderedDict[str, list[float]] = OrderedDict()
        self.windows: dict[str, float] = {}

    async def hit(self, key: str, stamp: float, window: float) -> list[float]:
        stamps = [s for s in self.stamps.pop(key, ()) if s > stamp - window]
        stamps.append(stamp)
        self.stamps[key], self.windows[key] = stamps, window
        while True:
            oldest, kept = next(iter(self.stamps.items()))
            if kept[-1:] > [stamp - self.windows[oldest]] and len(self.stamps) <= self.max_keys:
                return list(stamps)
            self.stamps.popitem(last=False)
            del self.windows[oldest]

    async def recent(self, key: str, since: float) -> list[float]:
        return [s for s in self.stamps.get(key, ()) if s > since]

    async def discard(self, key: str, stamp: float) -> None:
        if stamp in (stamps := self.stamps.get(key, [])):
            stamps.remove(stamp)

    async def clear(self, key: str) -> None:
        self.stamps.pop(key, None)
        self.windows.pop(key, None)


class Attempt:
    """One login attempt, already counted as a failure until succeeded() says not."""

    def __init__(
        self, store: AttemptStore, username: str, address: str, stamp: float, delay: float
    ):
        self.store = store
        self.username = username
        self.address = address
        self.stamp = stamp
        self.delay = delay

    async def wait(self) -> None:
        if self.delay:
            await asyncio.sleep(self.delay)

    async def abandoned(self) -> None:
        """Nobody guessed: the password could not be checked (the directory is down)."""
        for key in (
            _pair(self.username, self.address),
            _address(self.address),
            _user(self.username),
        ):
            await self.store.discard(key, self.stamp)

    async def succeeded(self) -> None:
        await self.store.clear(_pair(self.username, self.address))
        await self.store.discard(_address(self.address), self.stamp)
        await self.store.discard(_user(self.username), self.stamp)
        await self.store.hit(_known(self.username, self.address), self.stamp, KNOWN_FOR)


class Throttle:
    """Limits come from settings (CHAT_LOGIN_*); 0 turns one off."""

    def __init__(
        self,
        store: AttemptStore | None = None,
        pair_limit: int = 5,
        address_limit: int = 20,
        slowdown_after: int = 10,
    ):
        self.store = store or MemoryStore()
        self.pair_limit = pair_limit
        self.address_limit = address_limit
        self.slowdown_after = slowdown_after
        self.refused = 0  # attempts answered 429, for /metrics

    async def begin(self, username: str, address: str | None) -> Attempt:
        """Count an attempt; 429 (with the seconds to wait) when its pair or address
        is over the limit, else an Attempt carrying the wait its username has earned."""
        username, address, now = username.lower(), address or "-", time.time()
        counted = []
        for key, limit in (
            (_pair(username, address), self.pair_limit),
            (_address(address), self.address_limit),
        ):
            if not limit:
                continue
            stamps = await self.store.hit(key, now, WINDOW)
            counted.append(key)
            if len(stamps) > limit:
                for done in counted:
                    await self.store.discard(done, now)
                wait = stamps[len(stamps) - 1 - limit] + WINDOW - now
                self.refused += 1
                raise TooManyRequests("too_many_attempts", seconds=max(1, int(wait) + 1))
        failures = len(await self.store.hit(_user(username), now, WINDOW)) - 1
        delay = 0.0
        slowed = self.slowdown_after and failures >= self.slowdown_after
        if slowed and not await self.store.recent(_known(username, address), now - KNOWN_FOR):
            delay = min(MAX_DELAY, BASE_DELAY * 2 ** min(failures - self.slowdown_after, 16))
        return Attempt(self.store, username, address, now, delay)


def _pair(username: str, address: str) -> str:
    return f"pair\x00{username}\x00{address}"


def _address(address: str) -> str:
    return f"addr\x00{address}"


def _user(username: str) -> str:
    return f"user\x00{username}"


def _known(username: str, address: str) -> str:
    return f"known\x00{username}\x00{address}"
