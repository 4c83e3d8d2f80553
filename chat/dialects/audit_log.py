"""The audit log over REST for site admins, in the admin API's style ({"error": ...},
trailing slashes): a filtered page, the newest first, with the cursor of the next
(older) page in X-Next-Before; and the whole filtered log as CSV or JSON lines,
streamed. Read only: no route changes or deletes an entry.
"""
from __future__ import annotations

import csv
import io
import json

from aiohttp import web

from ..core import audit_reads
from ..errors import BadInput
from ..keys import core_key, user_key
from ..models import AuditEntry
from ..web.jsonio import json_response
from ..web.routing import ERROR, Route, add_routes

NEXT_HEADER = "X-Next-Before"
FIELDS = ("id", "at", "actor_id", "actor_name", "action", "target_type", "target_id",
          "target_name", "address", "user_agent", "request_id", "detail")
FORMATS = {"jsonl": "application/x-ndjson", "csv": "text/csv"}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def serialize_entry(entry: AuditEntry) -> dict:
    return {name: getattr(entry, name) for name in FIELDS}


def csv_cell(value) -> str:
    """A spreadsheet must not run a typed-in user name or user agent as a formula."""
    text = "" if value is None else (json.dumps(value, ensure_ascii=False)
                                     if isinstance(value, dict) else str(value))
    return "'" + text if text.startswith(FORMULA_START) else text


def render(entry: AuditEntry, kind: str) -> bytes:
    if kind == "jsonl":
        return (json.dumps(serialize_entry(entry), ensure_ascii=False) + "\n").encode()
    out = io.StringIO()
    csv.writer(out).writerow([csv_cell(getattr(entry, name)) for name in FIELDS])
    return out.getvalue().encode()


def query_filter(request: web.Request):
    query = request.query
    return audit_reads.check_filter(query.get("actor"), query.get("action"), query.get("target"),
                                    query.get("since"), query.get("until"))


async def list_entries(request: web.Request) -> web.Response:
    found, next_before = await audit_reads.page(
        request.app[core_key], request[user_key], query_filter(request),
        request.query.get("before"), request.query.get("limit"))
    response = json_response([serialize_entry(entry) for entry in found])
    if next_before is not None:
        response.headers[NEXT_HEADER] = str(next_before)
    return response


async def export_entries(request: web.Request) -> web.StreamResponse:
    kind = request.query.get("format", "jsonl")
    if kind not in FORMATS:
        raise BadInput("field_choice", field="format", choices=", ".join(FORMATS))
    entries = audit_reads.entries(request.app[core_key], request[user_key], query_filter(request))
    response = web.StreamResponse(headers={
        "Content-Type": FORMATS[kind],
        "Content-Disposition": f'attachment; filename="teahouse-audit.{kind}"'})
    await response.prepare(request)
    if kind == "csv":
        await response.write((",".join(FIELDS) + "\r\n").encode())
    async for entry in entries:
        await response.write(render(entry, kind))
    await response.write_eof()
    return response


def setup(app: web.Application) -> None:
    add_routes(app, ERROR, [
        Route("GET", "/api/chat/admin/audit/", list_entries),
        Route("GET", "/api/chat/admin/audit/export/", export_entries),
    ])
