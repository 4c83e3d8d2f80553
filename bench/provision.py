"""Users and servers for the scale benchmarks (bench/scale.py, bench/million.py),
provisioned straight into the database while the server is stopped, so that 10,000
users cost no scrypt and no join notice each: they sign in with external tokens signed
with the server's CHAT_SECRET."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import aiohttp
import jwt
from servers import BENCH_SECRET, Server

STAMP = "2026-01-01T00:00:00.000Z"


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


def provision_users(db: Path, count: int, first_id: int = 1000) -> list[int]:
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
