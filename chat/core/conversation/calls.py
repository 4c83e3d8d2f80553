"""Calls one click away: a message with a fresh meeting link on the site's meeting server.

The meeting server (Jitsi Meet, or a BigBlueButton front end that opens a meeting by its
URL) is CHAT_CALL_URL; unset, calls are off and starting one is a 404. Teahouse never
talks to the meeting server: it mints a meeting name nobody can guess (128 random bits,
so only the room's readers learn it) and posts the link as an ordinary message of the
caller, with every check a message gets (membership, mute, ban, rate).
"""

from __future__ import annotations

import secrets

from chat.core import Core
from chat.core.conversation import messages
from chat.errors import NotFound
from chat.models import SendResult, User

PLACEHOLDER = "{room}"


def meeting_url(base: str) -> str:
    """The base with a new meeting name in place of {room}, or appended as a path."""
    name = "teahouse-" + secrets.token_urlsafe(16)
    if PLACEHOLDER in base:
        return base.replace(PLACEHOLDER, name)
    return base.rstrip("/") + "/" + name


def calls_on(core: Core) -> bool:
    return core.settings.call_url is not None


async def start_call(core: Core, user: User, room_ref, client_id=None) -> SendResult:
    """A repeated client_id (a double click) returns the call already posted."""
    if not calls_on(core):
        raise NotFound("calls_off")
    link = meeting_url(core.settings.call_url)
    text = core.text("call_started", url=link)
    return await messages.send(core, user, room_ref, text, client_id=client_id)
