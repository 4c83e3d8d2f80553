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

import ipaddress
import math
import time
from dataclasses import dataclass
from typing import Protocol

from chat.core.origin import sender_address
from chat.errors import TooManyRequests

ACTIONS = ("messages", "typing", "reactions", "uploads", "writes")
# Budgets shared by more than one account (docs/limits.md): a hook's posts also count
# against its room and its creator, a message also against the sender's address.
# (Mentions that call bots have their own bucket in chat/web/outgoing.py.)
SHARED = ("hook_room", "hook_creator", "address_messages")
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
    """Buckets of this process: (tokens, time of the last refill, time it is full
    again) per key."""

    def __init__(self, clock=time.monotonic):
        self.clock = clock
        self.buckets: dict[str, tuple[float, float, float]] = {}
        self.takes = 0

    async def take(self, key: str, rate: Rate) -> float:
        return self.take_now(key, rate)

    def take_now(self, key: str, rate: Rate) -> float:
        """take() for callers that may not await (event listeners)."""
        now = self.clock()
        tokens, stamp, _ = self.buckets.get(key, (float(rate.burst), now, now))
        tokens = min(float(rate.burst), tokens + (now - stamp) * rate.per_second)
        self._prune(now)
        wait = 0.0
        if tokens >= 1.0:
            tokens -= 1.0
        else:
            wait = (1.0 - tokens) / rate.per_second
        self.buckets[key] = (tokens, now, now + (rate.burst - tokens) / rate.per_second)
        return wait

    def _prune(self, now: float) -> None:
        """Forget buckets that are full again: memory stays bounded by the keys active
        lately, not by everyone ever seen, and a slow bucket (registrations per hour)
        is not forgotten early."""
        self.takes += 1
        if self.takes % PRUNE_EVERY:
            return
        self.buckets = {key: bucket for key, bucket in self.buckets.items() if now < bucket[2]}


class RateLimiter:
    def __init__(self, rates: dict[str, Rate], store: BucketStore | None = None):
        self.rates = rates
        self.store = store or MemoryBuckets()

    async def check(self, subject: int | str, action: str, key: str = "rate_limited") -> None:
        """Raise TooManyRequests (with key) when subject (a user id, a room id, an
        address) is over its rate for action."""
        rate = self.rates.get(action)
        if rate is None or rate.off:
            return
        wait = await self.store.take(f"{action}:{subject}", rate)
        if wait > 0:
            raise TooManyRequests(key, action=action, seconds=math.ceil(wait))

    async def check_address(self, action: str, key: str = "rate_limited") -> None:
        """The sender's address's share of action, when there is an address to count.

        Loopback is not counted: behind a proxy not named in CHAT_TRUSTED_PROXIES every
        client looks like 127.0.0.1, and one budget for the whole site would be worse
        than none."""
        address = sender_address.get()
        if address and not is_loopback(address):
            await self.check(address, action, key)


def is_loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False
