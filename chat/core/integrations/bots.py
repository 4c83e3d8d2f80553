"""Campfire-style bots: a site admin creates one and gets a key "{id}-{token}" that
posts as the bot and works as a Bearer token with the bot's own memberships.

A bot with an outgoing URL is called when a message @mentions it or is sent to it
directly. Which messages address a bot is decided here, inside the send transaction
(an event with no socket recipients); the HTTP call itself is made by the web layer
(chat/web/outgoing.py), after commit, in the background.

Security: outgoing URLs are set by site admins only, so they are trusted as much as
the server's configuration; anything but http(s) is still refused.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from urllib.parse import urlsplit

from chat.core import Core, Outcome
from chat.core.conversation.mentions import MENTION
from chat.core.fields import check_int, check_text, check_unicode, check_username
from chat.core.people import guests
from chat.core.site import audit
from chat.db import hooks as bot_sql
from chat.db import memberships as membership_sql
from chat.db import users as user_sql
from chat.errors import BadInput, Conflict, Forbidden, NotFound, Unauthorized
from chat.events import Event
from chat.models import Bot, Message, Room, User

KEY = re.compile(r"(\d{1,18})-([A-Za-z0-9_\-]{32})")


@dataclass(frozen=True)
class BotAddressed(Event):
    """A message a bot with an outgoing URL must answer. No socket hears it."""

    bot_id: int
    message: Message
    room: Room

    @property
    def user_ids(self) -> frozenset[int]:
        return frozenset()


def is_bot_key(token: str) -> bool:
    """Bot keys are "{id}-{token}"; JWTs have dots, so the shapes never overlap."""
    return KEY.fullmatch(token) is not None


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def check_site_admin(user: User) -> None:
    if not user.is_admin:
        raise Forbidden("admin_only")


def check_outgoing_url(url) -> str | None:
    if url in (None, ""):
        return None
    if not isinstance(url, str) or len(url) > 2000:
        raise BadInput("bot_url_invalid")
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:  # e.g. "http://[::1" (an unclosed IPv6 bracket)
        raise BadInput("bot_url_invalid") from None
    if parts.scheme not in ("http", "https") or not host:
        raise BadInput("bot_url_invalid")
    return check_unicode("outgoing_url", url)


def check_avatar(url) -> str | None:
    if url in (None, ""):
        return None
    if not isinstance(url, str) or not re.match(r"^(https?://|/uploads/)", url) or len(url) > 2000:
        raise BadInput("field_type", field="avatar_url", kind="an http(s) URL")
    return check_unicode("avatar_url", url)


async def authenticate(core: Core, key: str) -> User:
    match = KEY.fullmatch(key)
    stored = await bot_sql.bot_digest(core.db.reader, int(match.group(1))) if match else None
    if stored is None or not hmac.compare_digest(stored, digest(match.group(2))):
        raise Unauthorized("bot_key_invalid")
    return await user_sql.user_by_id(core.db.reader, int(match.group(1)))


async def load_outgoing(core: Core) -> None:
    """Refresh the in-memory names of bots that have an outgoing URL."""
    found = await outgoing_names(core.db.reader)
    core.integrations.outgoing_bots.clear()
    core.integrations.outgoing_bots.update(found)


async def create(
    core: Core, admin: User, username, display_name=None, avatar_url=None, outgoing_url=None
) -> tuple[Bot, str]:
    check_site_admin(admin)
    guests.check_may_create(admin)
    username = check_username(username)
    display = check_display_name(display_name) or username
    avatar, url = check_avatar(avatar_url), check_outgoing_url(outgoing_url)
    token = secrets.token_urlsafe(24)

    async def job(conn):
        if await user_sql.user_by_username(conn, username):
            raise Conflict("username_taken")
        user = await user_sql.insert_user(
            conn, username, display, None, False, is_bot=True, avatar_url=avatar
        )
        await bot_sql.insert_bot(conn, user.id, digest(token), url, admin.id)
        await audit.record(conn, admin, "bot_created", user, outgoing_url=url)
        return Outcome(await bot_sql.bot_by_id(conn, user.id))

    bot = await core.commit(job)
    await load_outgoing(core)
    return bot, f"{bot.user.id}-{token}"


async def list_bots(core: Core, admin: User) -> list[Bot]:
    check_site_admin(admin)
    return await bot_sql.all_bots(core.db.reader)


async def find_bot(conn, bot_id) -> Bot:
    bot = await bot_sql.bot_by_id(conn, check_int("bot_id", bot_id, 1, 2**62))
    if bot is None:
        raise NotFound("bot_not_found")
    return bot


async def update(
    core: Core, admin: User, bot_id, changes: dict, regenerate: bool = False
) -> tuple[Bot, str | None]:
    """Change display_name, avatar_url or outgoing_url; a new key when regenerate."""
    check_site_admin(admin)
    token = secrets.token_urlsafe(24) if regenerate else None

    async def job(conn):
        bot = await find_bot(conn, bot_id)
        display = bot.user.display_name
        if changes.get("display_name") is not None:
            display = check_display_name(changes["display_name"]) or bot.user.username
        avatar = (
            check_avatar(changes["avatar_url"]) if "avatar_url" in changes else bot.user.avatar_url
        )
        url = (
            check_outgoing_url(changes["outgoing_url"])
            if "outgoing_url" in changes
            else bot.outgoing_url
        )
        await user_sql.update_profile(conn, bot.user.id, display, avatar)
        stored = digest(token) if token else await bot_sql.bot_digest(conn, bot.user.id)
        await bot_sql.update_bot(conn, bot.user.id, url, stored)
        if token:
            await audit.record(conn, admin, "bot_key_regenerated", bot.user)
        return Outcome(await bot_sql.bot_by_id(conn, bot.user.id))

    bot = await core.commit(job)
    await load_outgoing(core)
    if token:  # the old key's sockets end with it
        core.hub.disconnect_user(bot.user.id, 4001)
    return bot, f"{bot.user.id}-{token}" if token else None


def check_display_name(value) -> str:
    return "" if value is None else check_text("display_name", value, 0, 64)


async def delete(core: Core, admin: User, bot_id) -> None:
    """The key dies and its sockets close; the bot's user and messages stay."""
    check_site_admin(admin)

    async def job(conn):
        bot = await find_bot(conn, bot_id)
        await bot_sql.delete_bot(conn, bot.user.id)
        await audit.record(conn, admin, "bot_deleted", bot.user)
        return Outcome(bot)

    bot = await core.commit(job)
    await load_outgoing(core)
    core.hub.disconnect_user(bot.user.id, 4001)


async def addressed(core: Core, conn, room: Room, message: Message) -> list[BotAddressed]:
    """Inside the send transaction: the bots with an outgoing URL this message calls."""
    if message.sender is None or message.sender.is_bot:
        return []  # bots never answer bots: no loops
    if room.room_type != "direct" and "@" not in message.content:
        return []  # the common case: nothing to look up
    # One process keeps the names in memory; several share them only in the database.
    outgoing = (
        core.integrations.outgoing_bots if core.backplane is None else await outgoing_names(conn)
    )
    if not outgoing:
        return []
    if room.room_type == "direct":
        called = set(await membership_sql.member_ids(conn, room.id)) & set(outgoing.values())
    else:
        names = {name.lower() for name in MENTION.findall(message.content)}
        called = {outgoing[n] for n in names if n in outgoing}
        if called and not room.is_public:  # a bot hears only rooms it could read
            called &= set(await membership_sql.member_ids(conn, room.id))
    return [BotAddressed(None, bot_id, message, room) for bot_id in sorted(called)]


async def outgoing_names(conn) -> dict[str, int]:
    """Lower-cased username -> id of every bot that has an outgoing URL."""
    return {
        b.user.username.lower(): b.user.id for b in await bot_sql.all_bots(conn) if b.outgoing_url
    }
