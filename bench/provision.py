"""Users and servers for the scale benchmarks (bench/scale.py, load.py, scale_out.py,
million.py). By default (issue 27) they are newcomers: nobody is provisioned, and each
user's first external token (signed with the server's CHAT_SECRET) creates them and
joins them to `global` during the run, as on a company's rollout day. --accounts
provisioned writes them straight into the database while the server is stopped (issue
11's figures: no first contact at all)."""

from __future__ import annotations

import resource
import sqlite3
import sys
import time
from pathlib import Path

import aiohttp
import jwt
from servers import BENCH_SECRET, Server

STAMP = "2026-01-01T00:00:00.000Z"
FIRST_ID = 1000  # user ids of the bench's people; the server's own start at 1
ACCOUNTS_HELP = (
    "newcomers (default): never-seen users whose first external token creates them during "
    "the run; {other}: {how}"
)


def add_accounts_argument(p, other: str, how: str) -> None:
    p.add_argument(
        "--accounts",
        choices=("newcomers", other),
        default="newcomers",
        help=ACCOUNTS_HELP.format(other=other, how=how),
    )


def tokens_for(count: int, first_id: int = FIRST_ID) -> list[str]:
    """External tokens of the users first_id, first_id + 1, ...: provisioned ones, or
    newcomers the server has never seen (their first request creates them)."""
    return [token(i) for i in range(first_id, first_id + count)]


def raise_file_limit(sockets: int) -> None:
    """Every socket is a descriptor in this generator and in the server, which inherits
    this limit: raise the soft limit (and the hard one, where allowed) to fit them, or
    stop before the run with what to change."""
    needed = sockets + 1024
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft >= needed:
        return
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (needed, max(hard, needed)))
    except (ValueError, OSError):
        if hard < needed:
            sys.exit(
                f"{sockets} sockets need {needed} open files; the hard limit is {hard}: "
                f"raise it (ulimit -Hn {needed}, or limits.conf) and run again"
            )
        resource.setrlimit(resource.RLIMIT_NOFILE, (needed, hard))


def token(user_id: int) -> str:
    now = int(time.time())
    return jwt.encode(
        {
            "sub": str(user_id),
            "username": f"load{user_id}",
            "type": "access",
            "iat": now,
            "exp": now + 6 * 3600,
        },
        BENCH_SECRET,
        algorithm="HS256",
    )


def provision_users(db: Path, count: int, first_id: int = FIRST_ID) -> list[int]:
    """count users, all members of `global` with nothing unread; its cap lifted."""
    conn = sqlite3.connect(db, isolation_level=None)
    try:
        conn.execute("BEGIN")
        ids = list(range(first_id, first_id + count))
        conn.executemany(
            """INSERT INTO users (id, username, username_key, created_at, updated_at)
               VALUES (?, ?, ?, ?, ?)""",
            [(i, f"load{i}", f"load{i}", STAMP, STAMP) for i in ids],
        )
        conn.executemany(
            """INSERT INTO memberships (room_id, user_id, joined_at, last_read_message_id,
                                        seen_count)
               VALUES (1, ?, ?, (SELECT COALESCE(MAX(id), 0) FROM messages WHERE room_id = 1),
                       (SELECT message_count FROM rooms WHERE id = 1))""",
            [(i, STAMP) for i in ids],
        )
        conn.execute("UPDATE rooms SET max_members = 1000000 WHERE slug = 'global'")
        conn.execute("COMMIT")
        return ids
    finally:
        conn.close()


async def fresh_teahouse(workdir: Path, cpu: int, prepare) -> Server:
    """Start once (migrations), stop, prepare(db path) with the server down, start again."""
    async with aiohttp.ClientSession() as http:
        server = Server("teahouse", cpu, workdir)
        await server.wait_ready(http)
        server.stop()
        prepare(workdir / "data" / "teahouse.db")
        server = Server("teahouse", cpu, workdir)
        await server.wait_ready(http, limit=120)
        return server
