"""Who may fetch a stored file, decided at every download.

A chat file is readable by whoever may read a room that shows it (a message, not
deleted, links it): members of private, group and direct rooms; anyone signed in for a
public room — or anyone at all when CHAT_PUBLIC_ROOM_FILES_PUBLIC is on. Avatars are
public (docs/decisions.md). Everyone else, with or without a credential, finds
nothing: the answer is the 404 of a file that does not exist.
"""

from __future__ import annotations

from chat.core import Core
from chat.core.conversation.rooms import check_readable
from chat.core.file_links import PREFIX
from chat.db import rooms as room_sql
from chat.db import uploads as upload_sql
from chat.db import users as user_sql
from chat.errors import BadInput, Forbidden, NotFound
from chat.models import User


async def is_public(core: Core, name: str) -> bool:
    """No credential is needed for it: an avatar, or a public room's file where the
    site made those public. False too when there is no such file."""
    row = await upload_sql.upload_by_name(core.db.reader, name)
    if row is None:
        return False
    return bool(row["is_avatar"]) or (
        core.settings.public_room_files_public and await shown_in_public_room(core, name)
    )


async def check_may_read(core: Core, user: User, name: str) -> None:
    """NotFound unless this user may read the file now."""
    if not await may_read(core.db.reader, user, name):
        raise NotFound("not_found")


async def link_user(core: Core, user_id: int) -> User:
    """The user a signed link was given to, while their account is active."""
    user = await user_sql.user_by_id(core.db.reader, user_id)
    if user is None or not user.is_active:
        raise NotFound("not_found")
    return user


async def may_read(conn, user: User, name: str) -> bool:
    row = await upload_sql.upload_by_name(conn, name)
    if row is None:
        return False
    if row["is_avatar"]:
        return True
    for room_id in await upload_sql.rooms_showing(conn, PREFIX + name):
        try:
            await check_readable(conn, user, room_id)
            return True
        except (Forbidden, NotFound):
            continue
    return False


async def check_may_link(conn, user: User, name: str) -> None:
    """A message may link a hosted file only for someone who may read it already (or
    uploaded it): linking a file in one's own room must not open someone else's."""
    row = await upload_sql.upload_by_name(conn, name)
    if row is not None and row["uploader_id"] == user.id:
        return
    if not await may_read(conn, user, name):
        raise NotFound("file_not_found")


async def check_avatar_upload(conn, url: str) -> None:
    """An avatar_url on this server must be a picture set through the avatar upload:
    avatars are public, and pointing one at a room's file would publish that file."""
    row = await upload_sql.upload_by_name(conn, url.removeprefix(PREFIX))
    if not url.startswith(PREFIX) or row is None or not row["is_avatar"]:
        raise BadInput("avatar_not_uploaded")


async def shown_in_public_room(core: Core, name: str) -> bool:
    conn = core.db.reader
    for room_id in await upload_sql.rooms_showing(conn, PREFIX + name):
        room = await room_sql.room_by_ref(conn, room_id)
        if room is not None and room.is_public:
            return True
    return False
