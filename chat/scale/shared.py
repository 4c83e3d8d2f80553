"""Turn a process's core into one of several: the backplane and the shared limits."""

from __future__ import annotations

import redis.asyncio as redis

from chat.core import Core
from chat.core.site import scheduler
from chat.events import Event
from chat.scale.backplane import Backplane
from chat.scale.stores import RedisAttempts, RedisBuckets


async def start(core: Core) -> None:
    client = redis.from_url(
        core.settings.redis_url,
        socket_timeout=5,
        socket_connect_timeout=2,
        health_check_interval=15,
    )
    core.limits.store = RedisBuckets(client)
    core.throttle.store = RedisAttempts(client)

    def deliver(event: Event) -> None:
        core.hub.publish(event)
        scheduler.hear(core, event)

    core.backplane = Backplane(core.settings, core.db, core.hub, client, deliver)
    await core.backplane.start()
