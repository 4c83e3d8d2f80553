"""Per-user rate limits: a token bucket per (user, action), in one place for every
dialect and socket.

Each action (messages, typing, reactions, uploads, REST writes) has a rate per second
and a burst; a request over it is refused with TooManyRequests, which carries how long
to wait (a 429 with Retry-After, or an error frame with the socket kept open). A rate
of 0 turns the action's limit off. The buckets live behind BucketStore, so a store
shared by several processes (Redis) can replace the in-memory one without callers
noticing.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Protocol

from ..errors import TooManyRequests

ACTIONS = ("messages", "typing", "reactions", "uploads", "writes")
PRUNE_EVERY = 10_000  # takes between sweeps of full (forgettable) buckets


@dataclass(frozen=True)
class Rate:
    per_second: float
    burst: int

    @property
    def off(self) -> bool:
        return self.per_second <= 0


class BucketStore(Protocol):
    async def take(self, key: str, rate: Rate) -> float:
        """Take one token: 0.0 when there was one, else the seconds until there is."""


class MemoryBuckets:
    """Buckets of this process: (tokens, time of the last refill) per key."""

    def __init__(self, clock=time.monotonic):
        self.clock = clock
        self.buckets: dict[str, tuple[float, float]] = {}
        self.takes = 0

    async def take(self, key: str, rate: Rate) -> float:
        now = self.clock()
        tokens, stamp = self.buckets.get(key, (float(rate.burst), now))
        tokens = min(float(rate.burst), tokens + (now - stamp) * rate.per_second)
        self._prune(now)
        if tokens >= 1.0:
            self.buckets[key] = (tokens - 1.0, now)
            return 0.0
        self.buckets[key] = (tokens, now)
        return (1.0 - tokens) / rate.per_second

    def _prune(self, now: float) -> None:
        """Forget buckets idle long enough to be full again: memory stays bounded by
        the users active in the last minute or so, not by everyone ever seen."""
        self.takes += 1
        if self.takes % PRUNE_EVERY:
            return
        self.buckets = {key: (tokens, stamp) for key, (tokens, stamp) in self.buckets.items()
                        if now - stamp < 60.0}


class RateLimiter:
    def __init__(self, rates: dict[str, Rate], store: BucketStore | None = None):
        self.rates = rates
        self.store = store or MemoryBuckets()

    async def check(self, user_id: int, action: str) -> None:
        """Raise TooManyRequests when user_id is over its rate for action."""
        rate = self.rates.get(action)
        if rate is None or rate.off:
            return
        wait = await self.store.take(f"{action}:{user_id}", rate)
        if wait > 0:
            raise TooManyRequests("rate_limited", action=action, seconds=math.ceil(wait))
