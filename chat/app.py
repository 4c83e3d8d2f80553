"""create_app(settings): wiring only — keys, resources in cleanup_ctx, routes, CORS.

Every background task and every resource opened for the server's lifetime is listed
in lifetime() below, in start order; modules' setup() functions add routes and
middlewares only."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager

import aiohttp_cors
from aiohttp import web

from chat.api import (
    admin,
    api_tokens,
    audit_log,
    bots,
    calls,
    email,
    external,
    guests,
    hooks,
    identity,
    native,
    previews,
    push,
    records,
    threads,
    user_socket,
)
from chat.api import teamwork as team
from chat.core import Core
from chat.core.conversation import rooms
from chat.core.people import directory_recheck
from chat.core.site import audit, health, scheduler
from chat.db import Database
from chat.db.errors import storage_failure
from chat.errors import Unavailable
from chat.hub import CLOSE_GOING_AWAY, Hub
from chat.keys import core_key, outbound_counts_key, settings_key
from chat.ops.datadir import load_secret, prepare_data_dir
from chat.settings import Settings
from chat.web import app_shell, headers, metrics, openapi, pages, requestid
from chat.web.chores import run_chores
from chat.web.mailer import run_mailer
from chat.web.oidc import run_clients
from chat.web.outgoing import run_bot_caller
from chat.web.previewer import run_previewer
from chat.web.pusher import run_pusher
from chat.web.routing import api_errors, note_sender
from chat.wire import simple, v1
from chat.wire.channels import rest as channels

log = logging.getLogger(__name__)
LINGER_SECONDS = 2.0


async def open_writable(db: Database, settings: Settings) -> None:
    """Open (and migrate) the database and prove it takes a write, else stop with a
    clear message: a server that starts on a read-only or full disk fails every login."""
    try:
        await db.open()
    except Exception as exc:
        if storage_failure(exc) is None:
            raise
        raise Unavailable("cannot_start", path=settings.database_shown, problem=str(exc)) from None
    try:
        await health.check_writable(db, settings)
    except BaseException:
        await db.close()
        raise


async def open_core(app: web.Application):
    settings = app[settings_key]
    prepare_data_dir(settings)
    db = Database(
        settings.database,
        settings.read_connections,
        settings.read_budget,
        settings.search_index_delay,
    )
    await open_writable(db, settings)
    core = app[core_key] = Core(
        db=db,
        hub=Hub(settings.presence_coalesce_above, settings.socket_sign_ins),
        settings=settings,
        secret=load_secret(settings),
    )
    await rooms.name_seeded_rooms(core)
    if settings.audit_log_stream:
        core.audit.listeners.append(audit.log_entries)
    yield
    await asyncio.gather(*core.audit.pending, return_exceptions=True)  # queued audit entries
    await db.close()


async def run_backplane(app: web.Application):
    """With CHAT_REDIS_URL, this process shares fan-out, presence and limits with the
    others (docs/scale-out.md); stopped before the database closes."""
    core = app[core_key]
    if core.settings.redis_url:
        # Imported here: a single process never loads the Redis client (~0.1 s a start).
        from chat.scale import shared

        await shared.start(core)
    yield
    if core.backplane is not None:
        await core.backplane.stop()


async def scheduled_work(app: web.Application):
    """Scheduled messages, reminders and status expiries, for as long as the app runs."""
    task = asyncio.create_task(scheduler.run(app[core_key]))
    yield
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)


def beside_core(serving: Callable[[Core], AbstractAsyncContextManager]):
    """A core function that runs something while the server runs (an async context
    manager taking the Core), as an aiohttp cleanup_ctx."""

    async def run(app: web.Application):
        async with serving(app[core_key]):
            yield

    return run


def lifetime(settings: Settings) -> list:
    """Everything that runs beside the routes, in start order (stopped in reverse): the
    one place to look for what the server starts, and what it must stop."""
    return [
        open_core,  # data directory, database (migrated, writable, its search indexer), Core
        run_backplane,  # several processes: Redis fan-out, presence and limits
        scheduled_work,  # scheduled messages, reminders, status expiries
        run_chores,  # daily purges (retention, deleted rooms, audit); join notices
        run_bot_caller,  # bots' outgoing calls, after commit (chat/outbound/)
        run_pusher,  # Web Push to devices of people away (chat/outbound/)
        run_previewer,  # link previews of stored messages (chat/outbound/)
        run_mailer,  # email for what people missed (chat/outbound/mail.py)
        beside_core(directory_recheck.serving),  # the LDAP client and its re-check
        run_clients,  # OpenID Connect providers' HTTP session and caches
        *([metrics.attach] if settings.metrics else []),  # counters hooked into the core
    ]


async def close_sockets(app: web.Application) -> None:
    hub = app[core_key].hub
    if count := sum(map(len, hub.user_connections.values())):
        log.info("shutting down: closing %d sockets", count)
    hub.close_all(CLOSE_GOING_AWAY)


def setup_cors(app: web.Application, origins: tuple[str, ...]) -> None:
    if not origins:
        return
    option = aiohttp_cors.ResourceOptions(
        allow_credentials=False, expose_headers="*", allow_headers="*", allow_methods="*"
    )
    cors = aiohttp_cors.setup(app, defaults={origin: option for origin in origins})
    for route in list(app.router.routes()):
        cors.add(route)


def create_app(settings: Settings) -> web.Application:
    # A request answered before its body arrived (a refused or stalled upload) keeps
    # its connection LINGER_SECONDS for the client to read the answer, not aiohttp's 10.
    app = web.Application(
        middlewares=[api_errors, note_sender], handler_args={"lingering_time": LINGER_SECONDS}
    )
    app[settings_key] = settings
    app[outbound_counts_key] = Counter()
    app.cleanup_ctx.extend(lifetime(settings))
    app.on_shutdown.append(close_sockets)
    identity.setup(app)
    external.setup(app)
    api_tokens.setup(app)
    channels.setup(app)
    native.setup(app)
    threads.setup(app)
    calls.setup(app)
    push.setup(app)
    previews.setup(app)
    email.setup(app)
    team.setup(app)
    admin.setup(app)
    audit_log.setup(app)
    guests.setup(app)
    user_socket.setup(app)
    v1.setup(app)
    simple.setup(app)
    records.setup(app)
    hooks.setup(app)
    bots.setup(app)
    pages.setup(app)
    app_shell.setup(app)
    headers.setup(app)
    requestid.setup(app)
    openapi.setup(app)
    metrics.setup(app)
    setup_cors(app, settings.cors_origins)
    return app
