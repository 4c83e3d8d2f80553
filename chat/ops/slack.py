"""`server.py import-slack ZIP`: a Slack workspace export (Settings → Import/Export) into
an empty data directory.

Read: users.json, channels.json (public) and groups.json (private, when the export has
them), and each channel's folder of <YYYY-MM-DD>.json message files. Made: users
(Slack's admins and owners become site admins; nobody has a password yet), a room per
channel (#general becomes the shared global room), memberships, messages with their
times, edits marked, reactions, and thread replies as replies to the thread's first
message. Slack's markup becomes plain text (<@U1> → @name, <url|label> → label (url))
and is also kept as it was (mrkdwn), so the page shows it as Slack did;
shared files become a line naming the file, since an export holds links, not files.
Direct messages (dms.json, mpims.json) are left out: they are private to their people.
"""

from __future__ import annotations

import html
import re
import sqlite3
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from chat.clock import iso_utc
from chat.core.integrations.slack import unlink
from chat.core.site.export_records import FORMAT, VERSION
from chat.ops.importing import ImportFailed, load
from chat.ops.zipjson import array_items, check_total
from chat.settings import Settings

MB = 1024 * 1024
MAX_CONTENT = 10_000
SKIPPED_SUBTYPES = {
    "channel_join",
    "channel_leave",
    "group_join",
    "group_leave",
    "channel_purpose",
    "channel_topic",
    "channel_name",
    "pinned_item",
}
EMOJI = {
    "+1": "👍",
    "thumbsup": "👍",
    "-1": "👎",
    "thumbsdown": "👎",
    "heart": "❤️",
    "smile": "😄",
    "joy": "😂",
    "laughing": "😆",
    "tada": "🎉",
    "eyes": "👀",
    "white_check_mark": "✅",
    "heavy_check_mark": "✔️",
    "fire": "🔥",
    "pray": "🙏",
    "rocket": "🚀",
    "100": "💯",
    "clap": "👏",
    "thinking_face": "🤔",
    "ok_hand": "👌",
    "wave": "👋",
    "slightly_smiling_face": "🙂",
    "cry": "😢",
}
# No "<" inside any of them (Slack writes it as &lt;): each match attempt stops at the
# next "<", so a message of "<@U|" repeated costs linear time (see core/slack.py LINK).
MENTION = re.compile(r"<@([A-Z0-9]+)(?:\|[^<>]*)?>")
CHANNEL = re.compile(r"<#[A-Z0-9]+\|([^<>]*)>")
SPECIAL = re.compile(r"<!(here|channel|everyone)[^<>]*>")


def import_slack(settings: Settings, path: Path) -> dict:
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as exc:
        raise ImportFailed(f"cannot read {path} as a zip file: {exc}") from None
    with archive:
        check_total(archive, settings.import_max_total_mb * MB)
        max_file = settings.import_max_file_mb * MB
        return load(
            settings,
            lambda conn: SlackExport(archive, conn, max_file).records(),
            keep_seeded_rooms=True,
            source=f"slack:{Path(path).name}",
        )


def slack_time(ts) -> str:
    try:
        return iso_utc(datetime.fromtimestamp(float(ts), UTC))
    except (TypeError, ValueError):
        raise ImportFailed(f"not a Slack timestamp: {ts!r}") from None


def plain_text(text: str, users: dict[str, dict]) -> str:
    """Slack's markup as plain text; users maps Slack ids to our user records."""
    text = MENTION.sub(
        lambda m: "@" + users.get(m.group(1), {"username": m.group(1)})["username"], text
    )
    text = CHANNEL.sub(lambda m: "#" + m.group(1), text)
    text = unlink(text)
    text = SPECIAL.sub(lambda m: "@" + m.group(1), text)
    return html.unescape(text)


class SlackExport:
    def __init__(self, archive: zipfile.ZipFile, conn: sqlite3.Connection, max_file: int):
        self.archive = archive
        self.max_file = max_file
        self.names = set(archive.namelist())
        self.global_room = conn.execute("SELECT id FROM rooms WHERE slug = 'global'").fetchone()[0]
        self.next_room = conn.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM rooms").fetchone()[0]
        self.next_message = conn.execute(
            "SELECT COALESCE(MAX(id), 0) + 1 FROM messages"
        ).fetchone()[0]
        self.users: dict[str, dict] = {}  # Slack user id → our user record

    def read(self, name: str, required: bool = False) -> Iterator[dict]:
        """The objects of a JSON list file, one at a time (zipjson.py's limits)."""
        if name not in self.names:
            if required:
                raise ImportFailed(f"not a Slack export: it has no {name}")
            return
        yield from (
            item
            for item in array_items(self.archive, name, self.max_file)
            if isinstance(item, dict)
        )

    def records(self) -> Iterator[dict]:
        yield {"type": "export", "format": FORMAT, "version": VERSION, "scope": "site"}
        yield from self.user_records(self.read("users.json", required=True))
        slugs = {"global"}
        for name, room_type in (("channels.json", "public"), ("groups.json", "private")):
            for channel in self.read(name, required=room_type == "public"):
                yield from self.channel_records(channel, room_type, slugs)
        yield {"type": "end"}

    def user_records(self, users: Iterator[dict]) -> Iterator[dict]:
        taken: set[str] = set()
        for number, user in enumerate(users, 1):
            name = (
                re.sub(r"[^A-Za-z0-9_.\-]", "_", str(user.get("name") or ""))[:28]
                or f"user{number}"
            )
            username, suffix = name, 1
            while username.lower() in taken:
                suffix += 1
                username = f"{name}{suffix}"
            taken.add(username.lower())
            profile = user.get("profile") if isinstance(user.get("profile"), dict) else {}
            record = {
                "type": "user",
                "id": number,
                "username": username,
                "display_name": str(
                    profile.get("display_name")
                    or user.get("real_name")
                    or profile.get("real_name")
                    or username
                )[:64],
                "is_admin": bool(user.get("is_admin") or user.get("is_owner")),
                "created_at": slack_time(user.get("updated") or 0),
            }
            self.users[str(user.get("id"))] = {"id": number, "username": username}
            yield record

    def channel_records(self, channel: dict, room_type: str, slugs: set[str]) -> Iterator[dict]:
        name = str(channel.get("name") or "")
        if not name or "/" in name or name.startswith("."):
            raise ImportFailed(f"a channel without a usable name: {name!r}")
        created = slack_time(channel.get("created") or 0)
        creator = self.users.get(str(channel.get("creator")))
        if channel.get("is_general"):
            room_id = self.global_room
        else:
            room_id, self.next_room = self.next_room, self.next_room + 1
            slug = re.sub(r"[^a-z0-9_-]", "-", name.lower())[:40] or f"room-{room_id}"
            while slug in slugs:
                slug = f"{slug}-{room_id}"
            slugs.add(slug)
            purpose = channel.get("purpose") if isinstance(channel.get("purpose"), dict) else {}
            yield {
                "type": "room",
                "id": room_id,
                "slug": slug,
                "name": name[:100],
                "description": str(purpose.get("value") or "")[:500],
                "room_type": room_type,
                "max_members": max(50, len(channel.get("members") or [])),
                "is_active": not channel.get("is_archived"),
                "created_by": creator["id"] if creator else None,
                "created_at": created,
            }
        for member in dict.fromkeys(channel.get("members") or []):
            user = self.users.get(str(member))
            if user:
                role = "admin" if creator and user["id"] == creator["id"] else "member"
                yield {
                    "type": "membership",
                    "room_id": room_id,
                    "user_id": user["id"],
                    "role": role,
                    "joined_at": created,
                }
        yield from self.message_records(name, room_id)

    def message_records(self, folder: str, room_id: int) -> Iterator[dict]:
        days = sorted(
            n
            for n in self.names
            if n.startswith(folder + "/") and n.endswith(".json") and n.count("/") == 1
        )
        by_ts: dict[str, int] = {}
        for day in days:
            # The day's records, not its raw messages, are kept for sorting by time.
            drafts = [
                draft
                for message in self.read(day)
                if (draft := self.message_record(message, room_id))
            ]
            for ts, thread, record in sorted(drafts, key=lambda draft: float(draft[0])):
                record["id"], self.next_message = self.next_message, self.next_message + 1
                by_ts[ts] = record["id"]
                record["reply_to"] = by_ts.get(thread) if thread and thread != ts else None
                # Slack's replies stay in their thread, but for "also send to channel"
                record["thread_only"] = record["reply_to"] is not None and record["thread_only"]
                yield record

    def message_record(self, message: dict, room_id: int) -> tuple[str, str, dict] | None:
        """(ts, thread_ts, record): the id and reply_to are given once the day is sorted."""
        if message.get("type") != "message" or message.get("subtype") in SKIPPED_SUBTYPES:
            return None
        sender = self.users.get(str(message.get("user")))
        text = str(message.get("text") or "")
        content, markup = plain_text(text, self.users), self.markup(text)
        if message.get("subtype") == "bot_message" or sender is None:
            profile = (
                message.get("bot_profile") if isinstance(message.get("bot_profile"), dict) else {}
            )
            who = str(message.get("username") or profile.get("name") or "someone")
            content, markup = f"{who}: {content}", f"{html.escape(who, quote=False)}: {markup}"
        for shared in message.get("files") or []:
            if isinstance(shared, dict):
                name = str(shared.get("name") or shared.get("title") or "file")
                content += f"\n📎 {name}"
                markup += f"\n📎 {html.escape(name, quote=False)}"
        content, markup = content.strip()[:MAX_CONTENT], markup.strip()[:MAX_CONTENT]
        if not content:
            return None
        ts = str(message.get("ts"))
        created = slack_time(ts)
        thread = str(message.get("thread_ts") or "")
        edited = message.get("edited") if isinstance(message.get("edited"), dict) else None
        reactions, seen = [], set()
        for reaction in message.get("reactions") or []:
            emoji = EMOJI.get(str(reaction.get("name")), f":{reaction.get('name')}:")
            for user_id in reaction.get("users") or []:
                user = self.users.get(str(user_id))
                if user and (emoji, user["id"]) not in seen:
                    seen.add((emoji, user["id"]))
                    reactions.append({"user_id": user["id"], "emoji": emoji, "created_at": created})
        return (
            ts,
            thread,
            {
                "type": "message",
                "room_id": room_id,
                "sender_id": sender["id"] if sender else None,
                "message_type": "text",
                "content": content,
                "mrkdwn": markup,
                "is_edited": edited is not None,
                "created_at": created,
                "updated_at": slack_time(edited["ts"]) if edited and edited.get("ts") else created,
                "edits": [],
                "reactions": reactions,
                "thread_only": message.get("subtype") != "thread_broadcast",
            },
        )

    def markup(self, text: str) -> str:
        """Slack's markup as it was, its user ids labelled with our usernames."""
        return MENTION.sub(lambda m: f"<@{m.group(1)}|{self.username(m.group(1))}>", text)

    def username(self, slack_id: str) -> str:
        return self.users.get(slack_id, {"username": slack_id})["username"]
