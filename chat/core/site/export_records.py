"""Teahouse exports: one JSON object per line (docs/export-format.md), read from the
database. Who may export what is decided in exports.py; `server.py export` writes the
site export to a file through chat/ops/exporting.py.

Records come in dependency order (export, users, rooms, memberships, messages with their
edits and reactions, uploads each followed by its file in base64 chunks, end), so an
importer can insert them as they come and a truncated file is detected by the missing
`end`. What never leaves: password hashes, token versions, login addresses and user
agents, notifications and read receipts. Room and user exports leave out deleted
messages; the site export keeps them (flagged) so a restore-by-import is complete.

Reads run in one read transaction on a connection of their own: the export is a
consistent snapshot while the server keeps writing, and chat never waits for it.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

from chat.clock import iso_utc

FORMAT = "teahouse-export"
VERSION = 1
PAGE = 500
HASH_CHUNK = 1 << 20  # bytes read at a time for a file's checksum
CHUNK = 192 * 1024  # raw bytes per file_chunk line (256 KiB of base64)
UPLOAD_PREFIX = "/uploads/chat/"
USER_FIELDS = (
    "id",
    "username",
    "display_name",
    "avatar_url",
    "is_admin",
    "created_at",
    "is_guest",
    "guest_until",
)
ROOM_FIELDS = (
    "id",
    "slug",
    "name",
    "description",
    "room_type",
    "is_official",
    "max_members",
    "is_active",
    "direct_key",
    "created_by",
    "created_at",
    "updated_at",
    "retention_days",
)
MEMBERSHIP_FIELDS = ("room_id", "user_id", "role", "joined_at", "is_muted", "is_banned")
MESSAGE_FIELDS = (
    "id",
    "room_id",
    "sender_id",
    "message_type",
    "content",
    "system_event",
    "file_url",
    "file_name",
    "file_size",
    "reply_to",
    "is_edited",
    "is_deleted",
    "created_at",
    "updated_at",
    "mrkdwn",
    "thread_id",
    "thread_only",
)
BOOLEANS = {
    "is_admin",
    "is_guest",
    "is_official",
    "is_active",
    "is_muted",
    "is_banned",
    "is_edited",
    "is_deleted",
    "thread_only",
}


@dataclass(frozen=True)
class Scope:
    """What to export: everything ("site"), one room, or one user's own messages."""

    kind: str
    room_id: int | None = None
    user_id: int | None = None

    @property
    def filename(self) -> str:
        subject = {"site": "site", "room": f"room-{self.room_id}", "user": f"user-{self.user_id}"}
        return f"teahouse-{subject[self.kind]}-{iso_utc()[:10]}.jsonl"


def record(kind: str, row, fields: tuple[str, ...]) -> dict:
    out = {"type": kind}
    for name in fields:
        value = row[name] if name in row.keys() else None
        out[name] = bool(value) if name in BOOLEANS else value
    return out


def encode(item: dict) -> bytes:
    return (json.dumps(item, ensure_ascii=False, separators=(",", ":")) + "\n").encode()


class Filters:
    """The WHERE clauses of one scope (no user value is ever formatted into SQL)."""

    def __init__(self, scope: Scope):
        self.scope = scope
        kind, room, user = scope.kind, scope.room_id, scope.user_id
        self.users = {
            "site": ("true", ()),
            "room": (
                """id IN (SELECT user_id FROM memberships WHERE room_id = ?
                                  UNION SELECT sender_id FROM messages WHERE room_id = ?)""",
                (room, room),
            ),
            "user": ("id = ?", (user,)),
        }[kind]
        self.rooms = {
            "site": ("true", ()),
            "room": ("id = ?", (room,)),
            "user": (
                """id IN (SELECT room_id FROM memberships WHERE user_id = ?
                                 UNION SELECT room_id FROM messages WHERE sender_id = ?)""",
                (user, user),
            ),
        }[kind]
        self.memberships = {
            "site": ("true", ()),
            "room": ("room_id = ?", (room,)),
            "user": ("user_id = ?", (user,)),
        }[kind]
        self.messages = {
            "site": ("true", ()),
            "room": ("room_id = ? AND is_deleted = 0", (room,)),
            "user": (
                """sender_id = ? AND is_deleted = 0
                                     AND message_type != 'system'""",
                (user,),
            ),
        }[kind]


async def export_lines(
    conn, scope: Scope, uploads_dir: Path, exported_by: int | None
) -> AsyncIterator[bytes]:
    async for item in export_records(conn, scope, uploads_dir, exported_by):
        yield encode(item)


async def export_records(
    conn, scope: Scope, uploads_dir: Path, exported_by: int | None
) -> AsyncIterator[dict]:
    where = Filters(scope)
    counts = {"users": 0, "rooms": 0, "memberships": 0, "messages": 0, "uploads": 0}
    yield {
        "type": "export",
        "format": FORMAT,
        "version": VERSION,
        "scope": scope.kind,
        "room_id": scope.room_id,
        "user_id": scope.user_id,
        "exported_by": exported_by,
        "created_at": iso_utc(),
    }
    for kind, table, fields, (clause, params), order in (
        ("user", "users", USER_FIELDS, where.users, "id"),
        ("room", "rooms", ROOM_FIELDS, where.rooms, "id"),
        ("membership", "memberships", MEMBERSHIP_FIELDS, where.memberships, "room_id, user_id"),
    ):
        for row in await conn.execute_fetchall(
            f"SELECT * FROM {table} WHERE {clause} ORDER BY {order}", params
        ):
            counts[table] += 1
            yield record(kind, row, fields)
    files: list[str] = []
    async for message in export_messages(conn, where.messages):
        counts["messages"] += 1
        url = message["file_url"] or ""
        if url.startswith(UPLOAD_PREFIX):
            files.append(url.removeprefix(UPLOAD_PREFIX))
        yield message
    async for item in export_uploads(conn, scope, files, uploads_dir):
        counts["uploads"] += item["type"] == "upload"
        yield item
    yield {"type": "end", "counts": counts}


async def export_messages(conn, where: tuple[str, tuple]) -> AsyncIterator[dict]:
    clause, params = where
    after = 0
    while True:
        rows = await conn.execute_fetchall(
            f"SELECT * FROM messages WHERE ({clause}) AND id > ? ORDER BY id LIMIT ?",
            (*params, after, PAGE),
        )
        if not rows:
            return
        ids = [row["id"] for row in rows]
        marks = ",".join("?" * len(ids))
        edits: dict[int, list] = {}
        for edit in await conn.execute_fetchall(
            f"""SELECT message_id, previous_content, edited_by, edited_at FROM message_edits
                    WHERE message_id IN ({marks}) ORDER BY id""",
            ids,
        ):
            edits.setdefault(edit["message_id"], []).append(
                {
                    "previous_content": edit["previous_content"],
                    "edited_by": edit["edited_by"],
                    "edited_at": edit["edited_at"],
                }
            )
        reactions: dict[int, list] = {}
        for reaction in await conn.execute_fetchall(
            f"""SELECT message_id, user_id, emoji, created_at FROM reactions
                    WHERE message_id IN ({marks}) ORDER BY created_at, user_id, emoji""",
            ids,
        ):
            reactions.setdefault(reaction["message_id"], []).append(
                {
                    "user_id": reaction["user_id"],
                    "emoji": reaction["emoji"],
                    "created_at": reaction["created_at"],
                }
            )
        for row in rows:
            yield {
                **record("message", row, MESSAGE_FIELDS),
                "edits": edits.get(row["id"], []),
                "reactions": reactions.get(row["id"], []),
            }
        after = ids[-1]


async def export_uploads(
    conn, scope: Scope, referenced: list[str], uploads_dir: Path
) -> AsyncIterator[dict]:
    if scope.kind == "site":
        rows = await conn.execute_fetchall("SELECT * FROM uploads ORDER BY name")
    else:
        rows = []
        for name in dict.fromkeys(referenced):
            rows += await conn.execute_fetchall("SELECT * FROM uploads WHERE name = ?", (name,))
    for row in rows:
        path = uploads_dir / row["name"]
        item = {
            "type": "upload",
            "name": row["name"],
            "original_name": row["original_name"],
            "size": row["size"],
            "uploader_id": row["uploader_id"],
            "created_at": row["created_at"],
            "is_avatar": bool(row["is_avatar"]),
        }
        try:
            item["sha256"] = sha256_of(path)
        except FileNotFoundError:  # deleted meanwhile: say so rather than fail the export
            yield {**item, "missing": True}
            continue
        yield item
        with open(path, "rb") as handle:
            while chunk := handle.read(CHUNK):
                yield {
                    "type": "file_chunk",
                    "name": row["name"],
                    "data": base64.b64encode(chunk).decode(),
                }


def sha256_of(path: Path) -> str:
    """An upload's checksum, as its export record and the backup manifest carry it."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()
