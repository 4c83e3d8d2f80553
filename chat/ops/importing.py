"""`server.py import FILE`: load a Teahouse site export (docs/export-format.md) into an
empty data directory, ids and times kept, so replies, reactions and file links still
point where they did. Also the loader the Slack import feeds.

Everything goes in one transaction with foreign keys checked at COMMIT, and each file is
checked against its sha256 before it counts: a failed import removes what it wrote and
leaves the directory as empty as it found it. Imported accounts have no password (the
export never carries hashes): each user sets one with a token from `server.py token`.
"""

from __future__ import annotations

import asyncio
import base64
import gzip
import hashlib
import json
import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from chat import durable
from chat.core.files.uploads import STORED_NAME
from chat.core.site import audit
from chat.core.site.export_records import FORMAT, VERSION
from chat.db import Database
from chat.db import threads as thread_sql
from chat.ops.backup import BackupError, check_empty_target
from chat.ops.datadir import PRIVATE_FILE, prepare_data_dir
from chat.settings import Settings

# The longest line an export writes is a message with its edits, or a file_chunk
# (256 KiB of base64); a longer one is refused before it is held in memory.
MAX_LINE = 16 * 1024 * 1024


class ImportFailed(Exception):
    """The file cannot be imported; nothing was left behind."""


def read_lines(path: Path) -> Iterator[dict]:
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rt", encoding="utf-8") as lines:
            for number, line in enumerate(iter(lambda: lines.readline(MAX_LINE + 1), ""), 1):
                if len(line) > MAX_LINE:
                    raise ImportFailed(
                        f"line {number} is longer than {MAX_LINE} characters: not an export"
                    )
                if line.strip():
                    try:
                        item = json.loads(line)
                    except ValueError:
                        raise ImportFailed(f"line {number} is not JSON") from None
                    if not isinstance(item, dict):
                        raise ImportFailed(f"line {number} is not a JSON object")
                    yield item
    except OSError as exc:
        raise ImportFailed(f"cannot read {path}: {exc}") from None


def import_export(settings: Settings, path: Path) -> dict:
    return load(
        settings,
        lambda conn: read_lines(Path(path)),
        keep_seeded_rooms=False,
        source=Path(path).name,
    )


def load(
    settings: Settings,
    records: Callable[[sqlite3.Connection], Iterable[dict]],
    keep_seeded_rooms: bool,
    source: str,
) -> dict:
    """Insert records (export format) into a new database in the empty data directory.
    records(conn) may look at the new, migrated database (the Slack import numbers its
    rooms after the seeded ones)."""
    if settings.database != settings.database_path:
        raise ImportFailed(
            "an import makes a new SQLite site: run it without CHAT_DATABASE_URL, then move "
            "the site with `server.py migrate-to-postgres` (docs/scale-out.md)"
        )
    try:
        check_empty_target(settings)
    except BackupError as exc:
        raise ImportFailed(str(exc)) from None
    prepare_data_dir(settings)
    asyncio.run(create_database(settings.database_path))
    loader = Loader(settings.chat_uploads_dir)
    conn = sqlite3.connect(settings.database_path, isolation_level=None)
    try:
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("PRAGMA defer_foreign_keys=ON")  # checked once, at COMMIT
        if not keep_seeded_rooms:
            conn.execute("DELETE FROM rooms")  # the export brings its own global room
        loader.conn = conn
        for item in records(conn):
            loader.add(item)
        loader.finish()
        thread_sql.settle_imported(conn)
        durable.sync_dir(settings.chat_uploads_dir)
        audit.record_command(conn, "import", source=source, counts=loader.counts)
        conn.execute("COMMIT")
    except BaseException as exc:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        conn.close()
        loader.abandon()
        discard(settings, loader.written)
        if isinstance(exc, (ImportFailed, KeyboardInterrupt)):
            raise
        raise ImportFailed(f"the file cannot be imported: {exc}") from None
    conn.close()
    return loader.counts


async def create_database(path: Path) -> None:
    db = Database(path)
    await db.open()
    await db.close()


def discard(settings: Settings, written: list[Path]) -> None:
    for path in written:
        path.unlink(missing_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{settings.database_path}{suffix}").unlink(missing_ok=True)


def flag(value) -> int:
    return 1 if value else 0


def guest_until(item: dict) -> str | None:
    """A guest's expiry (a stored time); none for a member or a value that is not text."""
    value = item.get("guest_until")
    return value if flag(item.get("is_guest")) and isinstance(value, str) else None


class Loader:
    """Inserts records in the order an export writes them."""

    def __init__(self, uploads_dir: Path):
        self.uploads_dir = uploads_dir
        self.conn: sqlite3.Connection | None = None
        self.counts = {"users": 0, "rooms": 0, "memberships": 0, "messages": 0, "uploads": 0}
        self.written: list[Path] = []
        self.started = self.ended = False
        self.file = None  # (name, expected size, expected sha256, handle, digest, size so far)

    def add(self, item: dict) -> None:
        kind = item.get("type")
        if not self.started and kind != "export":
            raise ImportFailed("not a Teahouse export: the first line must be its header")
        if self.ended:
            raise ImportFailed("records after the end record")
        if kind != "file_chunk":
            self.close_file()
        handler = self.HANDLERS.get(kind)
        if handler is None:
            raise ImportFailed(f"unknown record type {kind!r}")
        handler(self, item)

    def finish(self) -> None:
        self.close_file()
        if not self.ended:
            raise ImportFailed("the export is truncated: it has no end record")

    def header(self, item: dict) -> None:
        if self.started or item.get("format") != FORMAT:
            raise ImportFailed("not a Teahouse export")
        if item.get("version") != VERSION:
            raise ImportFailed(f"export format version {item.get('version')} is not supported")
        if item.get("scope") != "site":
            raise ImportFailed(
                f"this is a {item.get('scope')} export: only a site export "
                "(everything) can become a new data directory"
            )
        self.started = True

    def user(self, item: dict) -> None:
        username = str(item["username"])
        self.conn.execute(
            """INSERT INTO users (id, username, username_key, display_name, avatar_url,
                                  password_hash, is_admin, created_at, updated_at,
                                  is_guest, guest_until)
               VALUES (?, ?, ?, ?, ?, NULL, ?, ?, ?, ?, ?)""",
            (
                item["id"],
                username,
                username.lower(),
                item.get("display_name") or "",
                item.get("avatar_url"),
                flag(item.get("is_admin")),
                item["created_at"],
                item["created_at"],
                flag(item.get("is_guest")),  # an outsider stays one across a move
                guest_until(item),
            ),
        )
        self.counts["users"] += 1

    def room(self, item: dict) -> None:
        self.conn.execute(
            """INSERT INTO rooms (id, slug, name, description, room_type, is_official,
                                  max_members, is_active, direct_key, created_by, created_at,
                                  updated_at, retention_days)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (
                item["id"],
                item["slug"],
                item["name"],
                item.get("description") or "",
                item["room_type"],
                flag(item.get("is_official")),
                item.get("max_members", 50),
                flag(item.get("is_active", True)),
                item.get("direct_key"),
                item.get("created_by"),
                item["created_at"],
                item.get("updated_at") or item["created_at"],
                item.get("retention_days"),
            ),
        )
        self.counts["rooms"] += 1

    def membership(self, item: dict) -> None:
        self.conn.execute(
            """INSERT INTO memberships (room_id, user_id, role, joined_at, is_muted, is_banned)
               VALUES (?, ?, ?, ?, ?, ?)""",
            (
                item["room_id"],
                item["user_id"],
                item.get("role") or "member",
                item["joined_at"],
                flag(item.get("is_muted")),
                flag(item.get("is_banned")),
            ),
        )
        self.counts["memberships"] += 1

    def message(self, item: dict) -> None:
        thread_id = self.thread_of(item)
        self.conn.execute(
            """INSERT INTO messages (id, room_id, sender_id, message_type, content, system_event,
                                     file_url, file_name, file_size, reply_to, is_edited,
                                     is_deleted, created_at, updated_at, mrkdwn, thread_id,
                                     thread_only)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (
                item["id"],
                item["room_id"],
                item.get("sender_id"),
                item.get("message_type") or "text",
                str(item["content"]),
                item.get("system_event"),
                item.get("file_url"),
                item.get("file_name"),
                item.get("file_size"),
                item.get("reply_to"),
                flag(item.get("is_edited")),
                flag(item.get("is_deleted")),
                item["created_at"],
                item.get("updated_at") or item["created_at"],
                None if item.get("mrkdwn") is None else str(item["mrkdwn"]),
                thread_id,
                flag(thread_id is not None and item.get("thread_only")),
            ),
        )
        self.conn.executemany(
            """INSERT INTO message_edits (message_id, previous_content, edited_by, edited_at)
               VALUES (?, ?, ?, ?)""",
            [
                (item["id"], e["previous_content"], e.get("edited_by"), e["edited_at"])
                for e in item.get("edits") or []
            ],
        )
        self.conn.executemany(
            "INSERT INTO reactions (message_id, user_id, emoji, created_at) VALUES (?, ?, ?, ?)",
            [
                (item["id"], r["user_id"], r["emoji"], r["created_at"])
                for r in item.get("reactions") or []
            ],
        )
        self.counts["messages"] += 1

    def thread_of(self, item: dict) -> int | None:
        """The root of a reply: as exported, or (an older export, a Slack import) the
        thread of the message it replies to, which an export writes before it."""
        if item.get("reply_to") is None:
            return None
        if item.get("thread_id") is not None:
            return item["thread_id"]
        row = self.conn.execute(
            "SELECT COALESCE(thread_id, id) FROM messages WHERE id = ?", (item["reply_to"],)
        ).fetchone()
        return row[0] if row else item["reply_to"]

    def upload(self, item: dict) -> None:
        name = item.get("name")
        if not isinstance(name, str) or not STORED_NAME.fullmatch(name):
            raise ImportFailed(f"refusing an upload named {name!r}")  # never a path
        self.conn.execute(
            """INSERT INTO uploads (name, original_name, size, uploader_id, created_at, is_avatar)
               VALUES (?, ?, ?, ?, ?, ?)""",
            (
                name,
                item["original_name"],
                item["size"],
                item.get("uploader_id"),
                item["created_at"],
                int(item.get("is_avatar") is True),
            ),
        )
        self.counts["uploads"] += 1
        if item.get("missing"):
            return
        if not isinstance(item.get("size"), int) or item["size"] < 0:
            raise ImportFailed(f"the upload {name} has no valid size")
        path = self.uploads_dir / name
        handle = os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE), "wb")
        self.written.append(path)
        self.file = [name, item["size"], item["sha256"], handle, hashlib.sha256(), 0]

    def chunk(self, item: dict) -> None:
        if self.file is None or item.get("name") != self.file[0]:
            raise ImportFailed("a file chunk without its upload record")
        data = base64.b64decode(item["data"], validate=True)
        if self.file[5] + len(data) > self.file[1]:  # checked before writing: never past it
            raise ImportFailed(
                f"the file {self.file[0]} is larger than its declared "
                f"{self.file[1]} bytes: the export is damaged"
            )
        self.file[3].write(data)
        self.file[4].update(data)
        self.file[5] += len(data)

    def abandon(self) -> None:
        """A failed import: the file being written is closed unchecked (then removed)."""
        if self.file is not None:
            self.file[3].close()
            self.file = None

    def close_file(self) -> None:
        if self.file is None:
            return
        name, size, sha256, handle, digest, written = self.file
        self.file = None
        handle.flush()
        os.fsync(handle.fileno())  # the file is durable before the rows that name it
        handle.close()
        if written != size or digest.hexdigest() != sha256:
            raise ImportFailed(f"the file {name} does not match its sha256: the export is damaged")

    def end(self, item: dict) -> None:
        self.ended = True

    HANDLERS = {
        "export": header,
        "user": user,
        "room": room,
        "membership": membership,
        "message": message,
        "upload": upload,
        "file_chunk": chunk,
        "end": end,
    }
