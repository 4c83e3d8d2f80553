"""What reaches a person away from the room: notifications, and the browsers they
get pushes on.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from chat.models.messages import Message
from chat.models.rooms import Room


@dataclass(frozen=True)
class Notification:
    id: int
    user_id: int
    notification_type: str
    title: str
    content: str
    room: Room | None
    message: Message | None
    is_read: bool
    created_at: str
    title_key: str | None = None
    title_params: dict[str, str] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class PushSubscription:
    """One browser a user opted in from: its push service endpoint and the keys
    (RFC 8291) its messages are encrypted to."""

    id: int
    user_id: int
    endpoint: str
    p256dh: str
    auth: str
    label: str
    created_at: str
