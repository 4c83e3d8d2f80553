"""The simple dialect (seed 003): /api/chat/... without trailing slashes, REST and
heartbeat only, {"detail": ...} errors, room ids shown as slugs, message ids as strings."""

from chat.wire.simple.rest import setup

__all__ = ["setup"]
