"""Log output: the usual text lines, or CHAT_LOG_FORMAT=json for one JSON object per line
(what journald, Loki or Elasticsearch ingest without parsing rules).

Every record written while a request is handled carries that request's id (a context
variable the web layer sets), so an error line can be matched with the access line and
with the X-Request-Id the client saw. Tokens never get here: access lines carry the
route template and a redacted path, never a query string value or a v1 socket token.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime

from chat.core.origin import request_id_var

# Fields an access record may carry (set through `extra=`), in output order.
ACCESS_FIELDS = (
    "request_id",
    "method",
    "route",
    "path",
    "status",
    "duration_ms",
    "user_id",
    "remote",
    "bytes",
)
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            record.request_id = request_id_var.get()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in ACCESS_FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                entry[name] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure(log_format: str, level: int = logging.INFO) -> None:
    """Send every log record to stderr in log_format ("text" or "json")."""
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(
        JsonFormatter() if log_format == "json" else logging.Formatter(TEXT_FORMAT)
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
