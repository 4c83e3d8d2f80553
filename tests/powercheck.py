"""What must hold after a power cut, checked on the data directory a restarted server
runs on: each returns the problems it found (an empty list is a pass), so one run can
report every defect at once.

- everything acknowledged is there and intact (a message's content is what was sent,
  or its last acknowledged edit, or the one edit still unanswered at the cut);
- nothing is half-done: every upload row has its file with its size, no message links a
  file without a row, the search index holds every message it claims to have indexed,
  every JSON file we wrote parses;
- the database passes PRAGMA integrity_check, and every counter agrees with a recount.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from tests.powerload import Ledger

RECOUNTS = {
    "rooms.message_count": """
        SELECT r.id, r.message_count, (SELECT COUNT(*) FROM messages m WHERE m.room_id = r.id
            AND m.message_type != 'system' AND m.is_deleted = 0 AND m.thread_only = 0)
        FROM rooms r""",
    "memberships.seen_count": """
        SELECT x.id, x.seen_count, (SELECT COUNT(*) FROM messages m WHERE m.room_id = x.room_id
            AND m.message_type != 'system' AND m.is_deleted = 0 AND m.thread_only = 0
            AND (m.id <= x.last_read_message_id OR m.sender_id = x.user_id)) FROM memberships x""",
    "threads.reply_count": """
        SELECT t.root_id, t.reply_count, (SELECT COUNT(*) FROM messages m
            WHERE m.thread_id = t.root_id AND m.is_deleted = 0) FROM threads t""",
    "thread_follows.seen_count": """
        SELECT f.rowid, f.seen_count, (SELECT COUNT(*) FROM messages m
            WHERE m.thread_id = f.root_id AND m.is_deleted = 0
            AND (m.id <= f.last_read_id OR m.sender_id = f.user_id)) FROM thread_follows f""",
    "rooms.members": """
        SELECT r.id, r.members, (SELECT COUNT(*) FROM memberships x WHERE x.room_id = r.id
            AND x.is_banned = 0) FROM rooms r""",
    "users.unread_notifications": """
        SELECT u.id, u.unread_notifications, (SELECT COUNT(*) FROM notifications n
            WHERE n.user_id = u.id AND n.is_read = 0) FROM users u""",
    "event_streams.seq": """
        SELECT s.stream, s.seq, MAX(s.seq, (SELECT COALESCE(MAX(l.seq), 0) FROM event_log l
            WHERE l.stream = s.stream)) FROM event_streams s""",
}


def read_only(database: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=10)
    conn.row_factory = sqlite3.Row
    return conn


def check_database(conn: sqlite3.Connection, served: bool = True) -> list[str]:
    """served: a server ran on it since, so the search index has caught up."""
    problems = [
        f"integrity_check: {row[0]}"
        for row in conn.execute("PRAGMA integrity_check")
        if row[0] != "ok"
    ]
    for name, sql in RECOUNTS.items():
        problems += [
            f"{name} of {row[0]} is {row[1]}, a recount says {row[2]}"
            for row in conn.execute(sql)
            if row[1] != row[2]
        ]
    upto = conn.execute("SELECT upto FROM search_indexed").fetchone()[0]
    latest = conn.execute("SELECT COALESCE(MAX(id), 0) FROM messages").fetchone()[0]
    if served and upto < latest:
        problems.append(f"the search index stopped at {upto}, messages go up to {latest}")
    for row in conn.execute(
        """SELECT id, content FROM messages WHERE id <= ? AND is_deleted = 0
                               AND message_type != 'system' AND length(content) >= 3""",
        (upto,),
    ):
        phrase = '"' + row["content"].replace('"', '""') + '"'
        found = conn.execute(
            "SELECT 1 FROM messages_fts WHERE messages_fts MATCH ? AND rowid = ?",
            (phrase, row["id"]),
        ).fetchone()
        if found is None:
            problems.append(f"message {row['id']} is not in the search index")
    return problems


def check_acknowledged(conn: sqlite3.Connection, ledger: Ledger) -> list[str]:
    users = {row[0] for row in conn.execute("SELECT username FROM users")}
    problems = [
        f"{name}'s acknowledged account is gone" for name in ledger.tokens if name not in users
    ]
    stored = {row["id"]: row["content"] for row in conn.execute("SELECT id, content FROM messages")}
    for message_id, content in ledger.messages.items():
        allowed = {ledger.edits.get(message_id, content), ledger.pending_edits.get(message_id)}
        if message_id not in stored:
            problems.append(f"acknowledged message {message_id} ({content!r}) is gone")
        elif stored[message_id] not in allowed:
            problems.append(
                f"message {message_id} reads {stored[message_id]!r}, "
                f"acknowledged as {sorted(filter(None, allowed))!r}"
            )
    reactions = {
        (row[0], row[1], row[2])
        for row in conn.execute(
            """SELECT r.message_id, u.username, r.emoji
                 FROM reactions r JOIN users u ON u.id = r.user_id"""
        )
    }
    problems += [f"acknowledged reaction {r} is gone" for r in sorted(ledger.reactions - reactions)]
    for username, upto in ledger.read_upto.items():
        row = conn.execute(
            """SELECT x.last_read_message_id FROM memberships x
                              JOIN users u ON u.id = x.user_id JOIN rooms r ON r.id = x.room_id
                              WHERE u.username = ? AND r.slug = 'global'""",
            (username,),
        ).fetchone()
        if row is None or row[0] < upto:
            problems.append(
                f"{username}'s acknowledged read mark {upto} went back to {row and row[0]}"
            )
    return problems


def check_uploads(conn: sqlite3.Connection, data_dir: Path, ledger: Ledger) -> list[str]:
    folder = data_dir / "uploads" / "chat"
    problems = []
    rows = {row["name"]: row["size"] for row in conn.execute("SELECT name, size FROM uploads")}
    for name, size in rows.items():
        path = folder / name
        if not path.is_file():
            problems.append(f"upload row {name} has no file")
        elif path.stat().st_size != size:
            problems.append(f"upload {name} holds {path.stat().st_size} bytes, its row says {size}")
    for name, data in ledger.uploads.items():
        if name not in rows:
            problems.append(f"acknowledged upload {name} has no row")
        elif (folder / name).is_file() and (folder / name).read_bytes() != data:
            problems.append(f"acknowledged upload {name} does not hold the bytes sent")
    for (url,) in conn.execute("SELECT file_url FROM messages WHERE file_url IS NOT NULL"):
        name = url.split("?")[0].rsplit("/", 1)[-1]
        if name not in rows:
            problems.append(f"a message links {name}, which has no upload row")
    return problems


def check_json_files(data_dir: Path) -> list[str]:
    """Every *.json we wrote parses (a torn write shows as a JSON error)."""
    problems = []
    for path in data_dir.rglob("*.json"):
        try:
            json.loads(path.read_bytes())
        except ValueError as exc:
            problems.append(f"{path.relative_to(data_dir)} is torn: {exc}")
    return problems


def check_all(data_dir: Path, ledger: Ledger) -> list[str]:
    conn = read_only(data_dir / "teahouse.db")
    try:
        return (
            check_database(conn)
            + check_acknowledged(conn, ledger)
            + check_uploads(conn, data_dir, ledger)
            + check_json_files(data_dir)
        )
    finally:
        conn.close()
