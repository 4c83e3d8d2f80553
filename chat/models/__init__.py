"""The domain in chat words: frozen rows that core returns and serializers read.

Every layer imports its models from here (`from chat.models import Message`); the rows
are written by subject in the modules of this package (people, rooms, messages,
threads, search, credentials, team, reach, integrations, site). One import path for
all of them keeps the storage code, core, the dialects and bench/ from learning where
a row is written.
"""

from __future__ import annotations

from chat.models.credentials import ApiToken, Credential, Tokens
from chat.models.integrations import Bot, Hook
from chat.models.messages import (
    MAX_CONTENT,
    LinkPreview,
    Message,
    MessageEdit,
    MessagePage,
    Reaction,
    SendResult,
    ThreadSummary,
)
from chat.models.people import Account, User
from chat.models.reach import Notification, PushSubscription
from chat.models.rooms import ROLES, Membership, Room, RoomDetail, RoomListing
from chat.models.search import SearchHit, SearchQuery, SearchResults
from chat.models.site import AuditEntry, OnlineUser, Stats
from chat.models.team import Pin, Reminder, SavedMessage, ScheduledMessage, Status
from chat.models.threads import ThreadEntry, ThreadFollow, ThreadPage

__all__ = [
    "User",
    "Account",
    "MAX_CONTENT",
    "LinkPreview",
    "Reaction",
    "Message",
    "ThreadSummary",
    "MessageEdit",
    "MessagePage",
    "SendResult",
    "ROLES",
    "Room",
    "Membership",
    "RoomListing",
    "RoomDetail",
    "ThreadFollow",
    "ThreadEntry",
    "ThreadPage",
    "SearchHit",
    "SearchQuery",
    "SearchResults",
    "Tokens",
    "ApiToken",
    "Credential",
    "Pin",
    "SavedMessage",
    "Status",
    "ScheduledMessage",
    "Reminder",
    "Notification",
    "PushSubscription",
    "Hook",
    "Bot",
    "OnlineUser",
    "Stats",
    "AuditEntry",
]

# Each row's public name is chat.models.<Row>: the bus names a row by its module
# (chat/scale/codec.py), and during a rolling upgrade hosts of two versions read each
# other's events, so where a row is written must not change that name.
for _row in list(globals().values()):
    if isinstance(_row, type) and _row.__module__.startswith(__name__ + "."):
        _row.__module__ = __name__
del _row
