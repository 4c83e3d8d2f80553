"""What the site's overseers read: who is online, the day's counts, the audit log."""

from __future__ import annotations

from dataclasses import dataclass

from chat.models.people import User


@dataclass(frozen=True)
class OnlineUser:
    user: User
    ip: str | None
    user_agent: str | None
    login_time: str
    last_activity: str


@dataclass(frozen=True)
class Stats:
    online_users_count: int
    total_messages_today: int
    active_rooms: int


@dataclass(frozen=True)
class AuditEntry:
    """One line of the audit log: who did what to what, when and from where."""

    id: int
    at: str
    actor_id: int | None
    actor_name: str | None
    action: str
    target_type: str | None
    target_id: str | None
    target_name: str | None
    address: str | None
    user_agent: str | None
    request_id: str | None
    detail: dict
