"""Typing indicators, coalesced: at most one frame per user and room per `interval`.

A client may send typing frames as fast as it likes (a burst of 10,000 in 0.2 s was
seen); what others hear is the latest state, at most once per interval, and the
indicator ends by itself `expire` seconds after the last refresh.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass

from chat.events import Event, TypingChanged
from chat.models import User


@dataclass
class _State:
    user: User
    typing: bool = False
    told: bool = False  # the state the room last heard
    told_at: float = float("-inf")
    expiry: asyncio.TimerHandle | None = None
    pending: asyncio.TimerHandle | None = None


class Typing:
    def __init__(
        self, publish: Callable[[Event], None], expire: float = 5.0, interval: float = 1.0
    ):
        self.publish = publish
        self.expire = expire
        self.interval = interval
        self._states: dict[tuple[int, int], _State] = {}

    def set(self, room_id: int, user: User, is_typing: bool) -> None:
        key = (room_id, user.id)
        state = self._states.get(key)
        if state is None:
            if not is_typing:
                return
            state = self._states[key] = _State(user)
        state.user, state.typing = user, is_typing
        if state.expiry:
            state.expiry.cancel()
            state.expiry = None
        if is_typing:
            state.expiry = asyncio.get_running_loop().call_later(
                self.expire, self.set, room_id, user, False
            )
        self._tell(key)

    def drop(self, room_id: int, user_id: int) -> None:
        """The user's last socket in the room is gone: no frame, no timer."""
        state = self._states.pop((room_id, user_id), None)
        if state:
            for timer in (state.expiry, state.pending):
                if timer:
                    timer.cancel()

    def _tell(self, key: tuple[int, int]) -> None:
        state = self._states.get(key)
        if state is None or state.pending:
            return
        if state.typing == state.told and not state.typing:
            self._settle(key, state)
            return
        wait = state.told_at + self.interval - time.monotonic()
        if wait > 0:
            if state.typing != state.told:  # the change is told when the interval ends
                state.pending = asyncio.get_running_loop().call_later(wait, self._later, key)
            return  # a refresh within the interval tells nothing new
        state.told, state.told_at = state.typing, time.monotonic()
        self.publish(TypingChanged(key[0], state.user, state.typing))
        self._settle(key, state)

    def _later(self, key: tuple[int, int]) -> None:
        state = self._states.get(key)
        if state:
            state.pending = None
            self._tell(key)

    def _settle(self, key, state: _State) -> None:
        """Forget a user who stopped typing, once a new frame could be told at once."""
        quiet = time.monotonic() - state.told_at >= self.interval
        if quiet and not state.typing and not state.told and state.pending is None:
            self._states.pop(key, None)
