"""Group mentions: @here (the members online) and @all (every member).

@all in a room above CHAT_ALL_MENTION_LIMIT members pings many people at once, so only
the room's admins and moderators (and site admins) may use it there.
"""

from __future__ import annotations

import re

from chat.clock import ago
from chat.db import memberships as membership_sql
from chat.db import users as user_sql
from chat.errors import Forbidden
from chat.hub import Hub
from chat.live.activity import ACTIVITY_WINDOW
from chat.models import Room, User

MENTION = re.compile(r"(?<![\w@])@([A-Za-z0-9_.\-]{1,32})")
GROUPS = frozenset({"here", "all"})


def mentioned_names(content: str) -> set[str]:
    """Lower-cased names after @, each also without trailing sentence punctuation
    ("@all." at the end of a sentence)."""
    found = {name.lower() for name in MENTION.findall(content)}
    return (found | {name.rstrip(".-") for name in found}) - {""}


async def named_members(conn, content: str, member_ids: set[int]) -> set[int]:
    """The members @-mentioned by their own name (not @here or @all)."""
    found = set()
    for name in mentioned_names(content) - GROUPS if "@" in content else ():
        mentioned = await user_sql.user_by_username(conn, name)
        if mentioned and mentioned.id in member_ids:
            found.add(mentioned.id)
    return found


def group_mentions(content: str) -> set[str]:
    return mentioned_names(content) & GROUPS if "@" in content else set()


async def check_group_mention(conn, limit: int, user: User, room: Room, content: str) -> None:
    """Costs no query unless the message says @all."""
    if "all" not in group_mentions(content) or user.is_admin:
        return
    membership = await membership_sql.membership(conn, room.id, user.id)
    if membership is not None and membership.can_moderate:
        return
    if await membership_sql.member_count(conn, room.id) > limit:
        raise Forbidden("all_mention_forbidden", limit=limit)


def is_online(hub: Hub, user_id: int) -> bool:
    """An open socket anywhere, or REST activity (simple dialect heartbeats) lately."""
    entry = hub.activity.get(user_id)
    recent = entry is not None and entry.last_seen >= ago(ACTIVITY_WINDOW).timestamp()
    return hub.has_socket(user_id) or recent


def group_targets(hub: Hub, content: str, member_ids: set[int]) -> set[int]:
    groups = group_mentions(content)
    if "all" in groups:
        return set(member_ids)
    if "here" in groups:
        return {uid for uid in member_ids if is_online(hub, uid)}
    return set()
