"""ChatError hierarchy: each error knows its HTTP status and WebSocket close code.

Core raises these with a catalog key (see chat/i18n/); only the web layer turns them into
responses or frames, in the caller's dialect and language. No aiohttp here.
"""

from __future__ import annotations


class ChatError(Exception):
    status = 500
    close_code = 1011

    def __init__(self, key: str, **params):
        super().__init__(key)
        self.key = key
        self.params = params


class BadInput(ChatError):
    status = 400
    close_code = 1008


class Unauthorized(ChatError):
    status = 401
    close_code = 4001


class Forbidden(ChatError):
    status = 403
    close_code = 4003


class NotFound(ChatError):
    status = 404
    close_code = 4004


class Conflict(ChatError):
    status = 409
    close_code = 1008


class TimedOut(ChatError):
    status = 408
    close_code = 1008


class TooLarge(ChatError):
    status = 413
    close_code = 1009


class UnsupportedMedia(ChatError):
    status = 415
    close_code = 1003


class TooManyRequests(ChatError):
    """Carries `seconds`: the Retry-After a 429 always sends."""

    status = 429
    close_code = 1013

    @property
    def retry_after(self) -> int:
        return max(1, int(self.params.get("seconds", 1)))


class TooManySockets(ChatError):
    """The account holds as many sockets as it may: the new one closes with 4008."""

    status = 429
    close_code = 4008


class Unavailable(ChatError):
    """The server cannot do this now (a read's time budget spent, the database not
    writable): retrying later may work."""

    status = 503
    close_code = 1013


class InsufficientStorage(ChatError):
    status = 507
    close_code = 1011
