"""Rate limits and login throttling counted across processes, in Redis.

Each store does what the in-memory one does (chat/core/ratelimit.py, throttle.py), so
N processes do not give a client N times the attempts. If Redis does not answer within
half a second, a store falls back to this process's memory for that call and the next
few seconds and says so in the log (at most every 10 s): a limit counted per process is
better than none, and better than refusing every login while Redis restarts or making
every request wait out a timeout while a partition hides it.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

from redis.asyncio import Redis
from redis.exceptions import RedisError

from chat.core.ratelimit import MemoryBuckets, Rate
from chat.core.throttle import MemoryStore

log = logging.getLogger(__name__)
PREFIX = "teahouse:limit:"
T = TypeVar("T")
BUDGET_SECONDS = 0.5  # a limit check waits this long for Redis (it answers in ~0.1 ms)
AWAY_SECONDS = 5.0  # then counts locally this long before asking Redis again

# A token bucket in one atomic step, timed by Redis's clock (one clock for everyone).
TAKE = """
local now = redis.call('TIME')
now = tonumber(now[1]) + tonumber(now[2]) / 1000000
local rate, burst = tonumber(ARGV[1]), tonumber(ARGV[2])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'stamp')
local tokens = tonumber(state[1]) or burst
local stamp = tonumber(state[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - stamp) * rate)
local wait = 0
if tokens >= 1 then tokens = tokens - 1 else wait = (1 - tokens) / rate end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'stamp', tostring(now))
redis.call('EXPIRE', KEYS[1], math.ceil(burst / rate) + 60)
return tostring(wait)
"""


class _Fallback:
    """Asks Redis within a short budget; when it does not answer in time (down, or a
    partition that answers nothing, where only a timeout notices), the call is counted
    in this process's memory, and so is every call for AWAY_SECONDS after, so that a
    request pays the budget at most once per AWAY_SECONDS rather than the client's
    5 s timeout on every limit it checks."""

    def __init__(self):
        self.complained = 0.0
        self.away_until = 0.0

    async def ask(self, shared: Callable[[], Awaitable[T]], local: Callable[[], Awaitable[T]]) -> T:
        if time.monotonic() < self.away_until:
            return await local()
        try:
            return await asyncio.wait_for(shared(), BUDGET_SECONDS)
        except (RedisError, OSError, TimeoutError) as exc:
            self.away_until = time.monotonic() + AWAY_SECONDS
            self.complain(exc)
            return await local()

    def complain(self, exc: Exception) -> None:
        now = time.monotonic()
        if now - self.complained >= 10:
            self.complained = now
            log.warning(
                "Redis does not answer (%s): limits count in this process only",
                exc or type(exc).__name__,
            )


class RedisBuckets(_Fallback):
    def __init__(self, client: Redis):
        super().__init__()
        self.take_script = client.register_script(TAKE)
        self.memory = MemoryBuckets()

    async def take(self, key: str, rate: Rate) -> float:
        async def shared() -> float:
            args = [rate.per_second, rate.burst]
            return float(await self.take_script(keys=[PREFIX + "bucket:" + key], args=args))

        return await self.ask(shared, lambda: self.memory.take(key, rate))


class RedisAttempts(_Fallback):
    """Timestamps per key in a sorted set (score = the stamp)."""

    def __init__(self, client: Redis):
        super().__init__()
        self.redis = client
        self.memory = MemoryStore()

    async def hit(self, key: str, stamp: float, window: float) -> list[float]:
        name = PREFIX + "attempts:" + key

        async def shared() -> list[float]:
            pipe = self.redis.pipeline(transaction=True)
            pipe.zadd(name, {f"{stamp!r}:{secrets.token_hex(4)}": stamp})
            pipe.zremrangebyscore(name, "-inf", f"({stamp - window!r}")
            pipe.zrange(name, 0, -1, withscores=True)
            pipe.expire(name, int(window) + 1)
            *_, found, _ = await pipe.execute()
            return [score for _, score in found]

        return await self.ask(shared, lambda: self.memory.hit(key, stamp, window))

    async def recent(self, key: str, since: float) -> list[float]:
        async def shared() -> list[float]:
            found = await self.redis.zrangebyscore(
                PREFIX + "attempts:" + key, f"({since!r}", "+inf", withscores=True
            )
            return [score for _, score in found]

        return await self.ask(shared, lambda: self.memory.recent(key, since))

    async def discard(self, key: str, stamp: float) -> None:
        await self.ask(
            lambda: self.redis.zremrangebyscore(PREFIX + "attempts:" + key, stamp, stamp),
            lambda: self.memory.discard(key, stamp),
        )

    async def clear(self, key: str) -> None:
        await self.ask(
            lambda: self.redis.delete(PREFIX + "attempts:" + key),
            lambda: self.memory.clear(key),
        )
