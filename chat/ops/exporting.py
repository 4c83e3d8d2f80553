"""`server.py export FILE`: the site export (chat/core/site/export_records.py, the
format in docs/export-format.md) written to a file, durably."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from chat import durable
from chat.core.site import audit
from chat.core.site.export_records import Scope, export_lines
from chat.db.sqlite_engine import snapshot
from chat.ops.datadir import create_private, require_database
from chat.settings import Settings


async def write_export(settings: Settings, target: Path) -> dict:
    """`server.py export FILE`: the site export into FILE (gzip if it ends in .gz), 0600,
    written beside and renamed, so a crash never leaves a file that looks complete."""
    require_database(settings)
    partial = target.with_name(f".{target.name}.partial")
    create_private(partial)
    audit.record_command_now(settings.database_path, "export", file=str(target))
    last = b"{}"
    try:
        async with snapshot(settings.database_path) as conn:
            with (gzip.open if target.suffix == ".gz" else open)(partial, "wb") as out:
                async for line in export_lines(
                    conn, Scope("site"), settings.chat_uploads_dir, None
                ):
                    out.write(line)
                    last = line
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    durable.replace(partial, target)
    return json.loads(last).get("counts", {})
