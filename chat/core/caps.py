"""Caps on what one account may hold open at once (every dialect's sockets share them).

Rates live in ratelimit.py; connections per address are counted before any request is
parsed (chat/web/tcp_guard.py), since an address is not an account.
"""

from __future__ import annotations

from chat.core import Core
from chat.errors import TooManySockets
from chat.models import User


def check_socket_cap(core: Core, user: User) -> None:
    """Refuse a new socket (close 4008) when the user already holds the cap: the open
    ones keep working, so a runaway script cannot push out the user's real tabs."""
    cap = core.settings.max_sockets_per_user
    held = len(core.hub.user_connections.get(user.id, ()))
    if cap and held >= cap:
        raise TooManySockets("too_many_sockets", limit=cap)
