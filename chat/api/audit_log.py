"""The audit log over REST for site admins, in the admin API's style ({"error": ...},
trailing slashes): a filtered page, the newest first, with the cursor of the next
(older) page in X-Next-Before; and the whole filtered log as CSV or JSON lines,
streamed. Read only: no route changes or deletes an entry.
"""

from __future__ import annotations

import csv
import io
from dataclasses import asdict

from aiohttp import web

from chat.core.site import audit_reads, exports
from chat.errors import BadInput
from chat.keys import core_key, user_key
from chat.models import AuditEntry
from chat.web.download import stream_download
from chat.web.jsonio import dumps, json_response
from chat.web.routing import ERROR, Route, add_routes

NEXT_HEADER = "X-Next-Before"
FIELDS = (
    "id",
    "at",
    "actor_id",
    "actor_name",
    "action",
    "target_type",
    "target_id",
    "target_name",
    "address",
    "user_agent",
    "request_id",
    "detail",
)
FORMATS = {"jsonl": "application/x-ndjson", "csv": "text/csv"}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value) -> str:
    """A spreadsheet must not run a typed-in user name or user agent as a formula."""
    text = "" if value is None else dumps(value) if isinstance(value, dict) else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def render(entry: AuditEntry, kind: str) -> bytes:
    if kind == "jsonl":
        return (dumps(asdict(entry)) + "\n").encode()
    out = io.StringIO()
    csv.writer(out).writerow([csv_cell(getattr(entry, name)) for name in FIELDS])
    return out.getvalue().encode()


def query_filter(request: web.Request):
    query = request.query
    return audit_reads.check_filter(
        query.get("actor"),
        query.get("action"),
        query.get("target"),
        query.get("since"),
        query.get("until"),
    )


async def list_entries(request: web.Request) -> web.Response:
    found, next_before = await audit_reads.page(
        request.app[core_key],
        request[user_key],
        query_filter(request),
        request.query.get("before"),
        request.query.get("limit"),
    )
    response = json_response([asdict(entry) for entry in found])
    if next_before is not None:
        response.headers[NEXT_HEADER] = str(next_before)
    return response


async def export_entries(request: web.Request) -> web.StreamResponse:
    kind = request.query.get("format", "jsonl")
    if kind not in FORMATS:
        raise BadInput("field_choice", field="format", choices=", ".join(FORMATS))
    core = request.app[core_key]
    entries = audit_reads.entries(core, request[user_key], query_filter(request))

    async def chunks():
        if kind == "csv":
            yield (",".join(FIELDS) + "\r\n").encode()
        async for entry in entries:
            yield render(entry, kind)

    async with exports.export_slot(core):
        return await stream_download(
            request, f"{FORMATS[kind]}; charset=utf-8", f"teahouse-audit.{kind}", chunks()
        )


def setup(app: web.Application) -> None:
    add_routes(
        app,
        ERROR,
        [
            Route("GET", "/api/chat/admin/audit/", list_entries),
            Route("GET", "/api/chat/admin/audit/export/", export_entries),
        ],
    )
