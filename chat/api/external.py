"""Sign-in through a directory or an OpenID Connect provider, and the admin's links
({"detail": ...} errors, like /api/auth/).

Directory passwords go through the ordinary POST /api/auth/login; this module starts
the directory's re-check task, runs the OIDC browser redirects and links accounts.
"""

from __future__ import annotations

import asyncio
import contextlib

from aiohttp import web

from chat.api import oidc_flow
from chat.core.people import directory, directory_recheck, identities
from chat.keys import core_key, settings_key, user_key
from chat.web.jsonio import json_response, read_json
from chat.web.routing import DETAIL, Route, add_routes


async def run_directory(app: web.Application):
    """The LDAP client for this process, and its periodic re-check task."""
    core, config = app[core_key], app[settings_key].ldap
    if config is None:
        yield
        return
    core.directory = directory.Directory(config)
    task = (
        asyncio.create_task(directory_recheck.watch(core), name="directory-recheck")
        if config.recheck_seconds > 0
        else None
    )
    yield
    if task:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    core.directory.close()


async def link_identity(request: web.Request) -> web.Response:
    body = await read_json(request)
    await identities.link(
        request.app[core_key],
        request[user_key],
        body.get("username"),
        body.get("provider"),
        body.get("external_name"),
    )
    return json_response({"linked": True}, status=201)


def setup(app: web.Application) -> None:
    app.cleanup_ctx.append(run_directory)
    add_routes(
        app,
        DETAIL,
        [
            Route("POST", "/api/admin/identity-links", link_identity),
        ],
    )
    oidc_flow.setup(app)
