"""The v1 dialect (seed 000): /api/v1/chatroom/... and /api/v1/chatroom/ws/{room_id}/{token}.

Parse and serialize only: every rule lives in core, the socket loop in web.sockets.
"""

from chat.wire.v1.rest import setup

__all__ = ["setup"]
