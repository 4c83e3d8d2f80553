"""An access log that never contains a token: JWT-shaped path segments and every
query-string value are redacted before the line is written.

A socket's line is written when it ends. CHAT_SOCKET_ACCESS_LOG=debug writes the line
of a socket that ended normally (closed by either side, or dropped) at DEBUG: a
reconnect storm ends thousands at once, and their lines were ~5% of the server's time
in one (py-spy). A socket refused or closed with any other code (4xxx refusals and
bans, 1013 too slow, 1011 ...) and every other request keep their INFO line.
"""

from __future__ import annotations

import logging
import re

from aiohttp.abc import AbstractAccessLogger

from chat.keys import credential_key, settings_key, socket_close_key
from chat.web.peers import client_address
from chat.web.requestid import request_id

# A match may start only where a run of token characters starts, and no run is given
# back once read (possessive): one pass over the path. Without both, a path of 8,000
# "-" cost 62 ms (every start read the run to its end, then backed off char by char).
JWT_LIKE = re.compile(r"(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{8,}+\.[A-Za-z0-9_-]{8,}+\.[A-Za-z0-9_-]*+")
# Secrets in a path (a v1 socket's token, a webhook's key, a bot's key): everything
# after the prefix goes, not one segment, since the logged path is decoded and
# "%2e%2e%2fKEY" becomes "../KEY", which would leave the key after a slash.
V1_SOCKET = re.compile(r"^(/api/v1/chatroom/ws/[^/]+/).+", re.DOTALL)
HOOK_KEY = re.compile(r"^(/hooks/).+", re.DOTALL)
BOT_KEY = re.compile(r"^(/rooms/[^/]+/).+?(/messages)?$", re.DOTALL)
# The codes the server ended a socket with when nothing went wrong: closed by the
# client or dropped (1000), the server stopping (1001).
NORMAL_CLOSES = (1000, 1001)


def redact_path(path: str) -> str:
    path = V1_SOCKET.sub(r"\1[redacted]", path)
    path = HOOK_KEY.sub(r"\1[redacted]", path)
    path = BOT_KEY.sub(lambda m: f"{m.group(1)}[redacted]{m.group(2) or ''}", path)
    return JWT_LIKE.sub("[redacted]", path)


def redact_query(query_string: str) -> str:
    keys = [part.split("=", 1)[0] for part in query_string.split("&") if part]
    return "&".join(f"{key}=…" for key in keys)


def line_level(request, response) -> int:
    """DEBUG for a socket that ended normally where CHAT_SOCKET_ACCESS_LOG=debug, else
    INFO. The code is the one the server chose (the socket's own close_code is the
    client's reply); a 101 was routed, so its app and settings are there."""
    if response.status != 101 or request.get(socket_close_key) not in NORMAL_CLOSES:
        return logging.INFO
    if request.app[settings_key].socket_access_log == "debug":
        return logging.DEBUG
    return logging.INFO


class RedactingAccessLogger(AbstractAccessLogger):
    def log(self, request, response, time: float) -> None:
        level = line_level(request, response)
        if not self.logger.isEnabledFor(level):
            return
        query = redact_query(request.query_string)
        target = redact_path(request.path) + (f"?{query}" if query else "")
        fields = {
            "method": request.method,
            "path": target,
            "status": response.status,
            "duration_ms": round(time * 1000, 1),
            "bytes": response.body_length,
        }
        try:
            resource = request.match_info.route.resource
        except AssertionError:  # refused before routing (a malformed head): no app, no route
            fields.update(route=None, remote=request.remote)
        else:
            # The fields a JSON log line carries (chat/ops/logs.py); the route is the
            # template ("/api/v1/chatroom/ws/{room_id}/{token}"), never the values.
            credential = request.get(credential_key)  # set by authentication, sockets too
            fields.update(
                request_id=request_id(request),
                route=resource.canonical if resource else None,
                user_id=credential.user.id if credential else None,
                remote=client_address(request),
            )
        self.logger.log(
            level,
            '%s "%s %s" %s %s %.1fms',
            request.remote,
            request.method,
            target,
            response.status,
            response.body_length,
            time * 1000,
            extra=fields,
        )
