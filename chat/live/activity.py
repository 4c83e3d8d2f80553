"""Activity: who is around (an open socket or a REST heartbeat in the last 30 minutes),
from where, since when."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from chat.clock import ago, iso_utc
from chat.models import User

ACTIVITY_WINDOW = 30 * 60


@dataclass
class Activity:
    user: User
    ip: str | None
    user_agent: str | None
    login_time: str
    last_activity: str
    last_seen: float


class ActivityRegistry:
    def __init__(self, has_socket: Callable[[int], bool]):
        self.has_socket = has_socket
        self.entries: dict[int, Activity] = {}

    def touch(self, user: User, ip: str | None, user_agent: str | None) -> Activity:
        stamp = iso_utc()
        entry = self.entries.get(user.id)
        if entry is None or entry.last_seen < ago(ACTIVITY_WINDOW).timestamp():
            entry = Activity(user, ip, user_agent, stamp, stamp, 0.0)
            self.entries[user.id] = entry
        entry.user, entry.last_activity = user, stamp
        entry.ip, entry.user_agent = ip or entry.ip, user_agent or entry.user_agent
        entry.last_seen = ago(0).timestamp()
        return entry

    def merge(self, entry: Activity) -> None:
        mine = self.entries.get(entry.user.id)
        if mine is None or mine.last_seen < entry.last_seen:
            self.entries[entry.user.id] = entry

    def active(self) -> list[Activity]:
        """Users with an open socket or activity in the last 30 minutes; the others are
        forgotten here, so the registry never outgrows who is around."""
        horizon = ago(ACTIVITY_WINDOW).timestamp()
        for user_id in [
            uid
            for uid, a in self.entries.items()
            if a.last_seen < horizon and not self.has_socket(uid)
        ]:
            del self.entries[user_id]
        return sorted(self.entries.values(), key=lambda a: a.user.id)
