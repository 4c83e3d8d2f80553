"""Rate limits and login throttling counted across processes, in Redis.

Each store does what the in-memory one does (chat/core/ratelimit.py, throttle.py), so
N processes do not give a client N times the attempts. If Redis does not answer, a
store falls back to this process's memory for that call and says so in the log (at
most every 10 s): a limit counted per process is better than none, and better than
refusing every login while Redis restarts.
"""

from __future__ import annotations

import logging
import secrets
import time

from redis.asyncio import Redis
from redis.exceptions import RedisError

from chat.core.ratelimit import MemoryBuckets, Rate
from chat.core.throttle import MemoryStore

log = logging.getLogger(__name__)
PREFIX = "teahouse:limit:"

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
    def __init__(self):
        self.complained = 0.0

    def complain(self, exc: Exception) -> None:
        now = time.monotonic()
        if now - self.complained >= 10:
            self.complained = now
            log.warning("Redis does not answer (%s): limits count in this process only", exc)


class RedisBuckets(_Fallback):
    def __init__(self, client: Redis):
        super().__init__()
        self.take_script = client.register_script(TAKE)
        self.memory = MemoryBuckets()

    async def take(self, key: str, rate: Rate) -> float:
        try:
            return float(
                await self.take_script(
                    keys=[PREFIX + "bucket:" + key], args=[rate.per_second, rate.burst]
                )
            )
        except (RedisError, OSError) as exc:
            self.complain(exc)
            return await self.memory.take(key, rate)


class RedisAttempts(_Fallback):
    """Timestamps per key in a sorted set (score = the stamp)."""

    def __init__(self, client: Redis):
        super().__init__()
        self.redis = client
        self.memory = MemoryStore()

    async def hit(self, key: str, stamp: float, window: float) -> list[float]:
        name = PREFIX + "attempts:" + key
        try:
            pipe = self.redis.pipeline(transaction=True)
            pipe.zadd(name, {f"{stamp!r}:{secrets.token_hex(4)}": stamp})
            pipe.zremrangebyscore(name, "-inf", f"({stamp - window!r}")
            pipe.zrange(name, 0, -1, withscores=True)
            pipe.expire(name, int(window) + 1)
            *_, found, _ = await pipe.execute()
            return [score for _, score in found]
        except (RedisError, OSError) as exc:
            self.complain(exc)
            return await self.memory.hit(key, stamp, window)

    async def recent(self, key: str, since: float) -> list[float]:
        try:
            found = await self.redis.zrangebyscore(
                PREFIX + "attempts:" + key, f"({since!r}", "+inf", withscores=True
            )
            return [score for _, score in found]
        except (RedisError, OSError) as exc:
            self.complain(exc)
            return await self.memory.recent(key, since)

    async def discard(self, key: str, stamp: float) -> None:
        try:
            await self.redis.zremrangebyscore(PREFIX + "attempts:" + key, stamp, stamp)
        except (RedisError, OSError) as exc:
            self.complain(exc)
            await self.memory.discard(key, stamp)

    async def clear(self, key: str) -> None:
        try:
            await self.redis.delete(PREFIX + "attempts:" + key)
        except (RedisError, OSError) as exc:
            self.complain(exc)
            await self.memory.clear(key)
