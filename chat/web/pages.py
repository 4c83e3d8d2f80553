"""The health check, the web client's page and its static files."""
from __future__ import annotations

from pathlib import Path

from aiohttp import web

from ..keys import core_key
from .jsonio import json_response

ROOT = Path(__file__).resolve().parent.parent.parent


async def healthz(request: web.Request) -> web.Response:
    await request.app[core_key].db.fetch_one("SELECT 1")
    return json_response({"status": "ok"})


def setup(app: web.Application) -> None:
    app.router.add_get("/healthz", healthz)
