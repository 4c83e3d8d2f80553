"""Power cuts of a real server process: the server runs with its data directory on a
PowerDisk; at a random moment every process on the disk is killed (SIGKILL) and the
disk loses what was not synced; power returns, the server starts again on what is
left, and tests/powercheck.py says what went wrong. Used by tests/test_power_cuts.py
(a few cuts per CI run) and tools/powercut.py (hundreds, by hand).
"""

from __future__ import annotations

import random
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

from tests import powercheck, powerload
from tests.powerdisk import PowerDisk
from tests.powerload import Ledger
from tests.serverproc import ROOT, ServerProcess, clean_env

CATCH_UP_TIMEOUT = 20.0


@dataclass
class Site:
    """One data directory on one disk, through every cut: what the server acknowledged
    accumulates, and every cut must keep all of it."""

    root: Path
    mode: str = "lose"
    seed: int = 0
    disk: PowerDisk = field(init=False)
    ledger: Ledger = field(default_factory=Ledger)
    cuts: int = 0
    checked: int = 0  # acknowledged items checked, over all verifies
    problems: list[str] = field(default_factory=list)
    took: dict[str, float] = field(default_factory=dict)  # how long each kind of job runs
    fresh: bool = False  # made for one cut point on an empty disk

    def __post_init__(self):
        self.rng = random.Random(self.seed)
        self.disk = PowerDisk(self.root, self.mode, self.seed)

    @property
    def data_dir(self) -> Path:
        return self.disk.mnt / "data"

    def server(self, **env: str) -> ServerProcess:
        # The log stays off the disk under test: its bytes are not the product's.
        return ServerProcess(self.data_dir, log_path=self.root / "server.log", **env)

    def cut(self, *processes) -> None:
        """The power cut: every process on the disk dies at once, unsynced data is lost."""
        for process in processes:
            process.kill()
            if isinstance(process, subprocess.Popen):
                process.wait()
        self.disk.power_cycle()
        self.cuts += 1

    def moment(self, kind: str, default: float) -> float:
        """A random moment within the time this kind of job took last (so cuts spread
        over all of it, on a fast machine or a slow one)."""
        return self.rng.uniform(0.0, 1.2 * self.took.get(kind, default))

    def cut_process(self, kind: str, command: list[str], default: float, *others) -> bool:
        """Run `server.py ...` (or any command) on the disk, cut at a random moment (the
        other processes on the disk die with it); True if it had finished successfully
        (acknowledged) before the cut."""
        started = time.monotonic()
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=clean_env(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            process.wait(timeout=self.moment(kind, default))
            self.took[kind] = time.monotonic() - started
        except subprocess.TimeoutExpired:
            pass
        finished = process.poll() == 0
        self.cut(process, *others)
        return finished

    async def sign_up(self, server: ServerProcess) -> None:
        """The clients' accounts, the first time a server of this site runs."""
        if not self.ledger.tokens:
            async with aiohttp.ClientSession() as session:
                await powerload.sign_up(session, server.base, self.ledger)

    async def verify(self, label: str) -> None:
        """Start the server on what the cut left, wait for the search index to catch up,
        and record every problem (prefixed with the cut's label)."""
        try:
            with self.server() as server:
                found = await serve_checks(server, self.ledger) + wait_for_index(self.data_dir)
                found += powercheck.check_all(self.data_dir, self.ledger)
        except RuntimeError as exc:  # did not start: the worst outcome, and a clear one
            found = [f"the server does not start: {str(exc)[-2000:]}"]
        self.checked += self.ledger.count()
        self.problems += [f"cut {self.cuts} ({label}): {problem}" for problem in found]


async def serve_checks(server: ServerProcess, ledger: Ledger) -> list[str]:
    """Through HTTP: the tokens issued before the cut still work (the secret survived),
    and every acknowledged upload is served with the bytes that were sent."""
    problems = []
    async with aiohttp.ClientSession() as session:
        for name, token in ledger.tokens.items():
            async with session.get(
                f"{server.base}/api/auth/me", headers={"Authorization": f"Bearer {token}"}
            ) as resp:
                if resp.status != 200:
                    problems.append(
                        f"{name}'s token from before the cut is refused ({resp.status})"
                    )
        headers = {"Authorization": f"Bearer {ledger.tokens['bob']}"} if ledger.tokens else {}
        for name, data in ledger.uploads.items():
            async with session.get(f"{server.base}/uploads/chat/{name}", headers=headers) as resp:
                if resp.status != 200 or await resp.read() != data:
                    problems.append(
                        f"acknowledged upload {name} is served as {resp.status}, not the bytes sent"
                    )
    return problems


def wait_for_index(data_dir: Path) -> list[str]:
    deadline = time.monotonic() + CATCH_UP_TIMEOUT
    while time.monotonic() < deadline:
        conn = sqlite3.connect(f"file:{data_dir / 'teahouse.db'}?mode=ro", uri=True, timeout=10)
        try:
            upto, latest = conn.execute(
                "SELECT (SELECT upto FROM search_indexed), "
                "(SELECT COALESCE(MAX(id), 0) FROM messages)"
            ).fetchone()
        finally:
            conn.close()
        if upto >= latest:  # above it when retention removed the newest messages
            return []
        time.sleep(0.1)
    return [f"the search index did not catch up within {CATCH_UP_TIMEOUT:g} s"]


def cli(data_dir: Path, *args: str) -> list[str]:
    return [sys.executable, "server.py", "--data-dir", str(data_dir), *args]


async def traffic(site: Site, seconds: float, at_the_end=None, **env: str) -> None:
    """Every dialect's clients for `seconds` on a server of the site, then at_the_end(server)
    (the cut), or a clean stop."""
    server = site.server(**env).start()
    try:
        await site.sign_up(server)
        await powerload.traffic(
            server.base,
            site.ledger,
            seconds,
            site.rng,
            at_the_end=at_the_end and (lambda: at_the_end(server)),
        )
    finally:
        server.stop()


# -- the cut points: each cuts once, then verifies --------------------------------------
async def cut_during_traffic(site: Site, longest: float = 2.0) -> None:
    """Every dialect sends, edits, reacts, reads and uploads; the cut comes among them."""
    moment = site.rng.uniform(0.2, longest)
    await traffic(site, moment, at_the_end=site.cut)
    await site.verify(f"traffic, {moment:.2f} s in")


async def cut_during_start_up(site: Site) -> None:
    """Start-up: data directory, migrations, secret, search catch-up, the health probe."""
    server = site.server().spawn()
    moment = site.moment("start-up", 1.5)
    time.sleep(moment)
    site.cut(server)
    await site.verify(f"start-up, {moment:.2f} s in")


async def cut_during_index_catch_up(site: Site) -> None:
    """Messages committed and not indexed (a long indexing delay), then a start whose
    catch-up batch the cut interrupts."""
    await traffic(site, site.rng.uniform(0.3, 1.0), CHAT_SEARCH_INDEX_DELAY="600")
    await cut_during_start_up(site)


async def cut_during_backup(site: Site) -> None:
    """A backup of a live server: once `backup` said it is done, the archive must be
    there and restore; before that, the name holds a whole archive or nothing."""
    archive = site.disk.mnt / f"backup-{site.cuts}.tar"
    server = site.server().start()
    finished = site.cut_process("backup", cli(site.data_dir, "backup", str(archive)), 2.0, server)
    problems = []
    if finished and not archive.exists():
        problems.append("a finished backup is gone")
    if archive.exists():
        restored = site.root / f"restored-{site.cuts}"
        done = subprocess.run(
            cli(restored, "restore", str(archive)),
            cwd=ROOT,
            env=clean_env(),
            capture_output=True,
            text=True,
            timeout=120,
        )
        if done.returncode != 0:
            problems.append(f"the archive left by the cut does not restore: {done.stderr.strip()}")
        subprocess.run(["rm", "-rf", str(restored)], check=False)
        archive.unlink()
    site.problems += [f"cut {site.cuts} (backup): {p}" for p in problems]
    await site.verify("backup")


async def cut_during_restore(site: Site) -> None:
    """`restore` into a new directory: once it said it is done, the directory is a
    complete data directory; before that, it holds no database (never a partial one)."""
    archive = site.root / "site-backup.tar"
    if not archive.exists():
        await traffic(site, 0.3)  # something worth restoring, on a new site too
        subprocess.run(
            cli(site.data_dir, "backup", str(archive)),
            cwd=ROOT,
            env=clean_env(),
            check=True,
            capture_output=True,
            timeout=120,
        )
    target = site.disk.mnt / f"restore-{site.cuts}"
    finished = site.cut_process("restore", cli(target, "restore", str(archive)), 2.0)
    problems = []
    if (target / "teahouse.db").exists():
        conn = powercheck.read_only(target / "teahouse.db")
        try:
            problems += powercheck.check_database(conn, served=False) + powercheck.check_uploads(
                conn, target, Ledger()
            )
        finally:
            conn.close()
    elif finished:
        problems.append("a finished restore left no database")
    subprocess.run(["rm", "-rf", str(target)], check=False)
    site.problems += [f"cut {site.cuts} (restore): {p}" for p in problems]
    await site.verify("restore")


async def cut_during_vacuum(site: Site) -> None:
    site.cut_process("vacuum", cli(site.data_dir, "vacuum"), 1.0)
    await site.verify("vacuum")


async def cut_during_retention(site: Site) -> None:
    """The retention purge deletes a room's old messages and their files in batches; the
    cut falls among them. Those messages are not in the ledger (they may go)."""
    with site.server() as server:
        await site.sign_up(server)
        async with aiohttp.ClientSession() as session:
            await retained_room_traffic(session, server.base, site.ledger, site.rng)
    site.cut_process(
        "retention", [sys.executable, "-m", "tests.powerjobs", "retention", str(site.data_dir)], 2.0
    )
    await site.verify("retention")


async def retained_room_traffic(session, base: str, ledger: Ledger, rng: random.Random) -> None:
    """Messages and uploads in a room with a one-day retention (made once)."""
    headers = powerload.bearer(ledger, "alice")
    async with session.post(
        f"{base}/api/chat/rooms/", json={"name": "retained"}, headers=headers
    ) as resp:
        room = (await powerload.answer(resp))["id"]
    async with session.put(
        f"{base}/api/chat/rooms/{room}/retention/", json={"retention_days": 1}, headers=headers
    ) as resp:
        await powerload.answer(resp)
    for n in range(rng.randrange(20, 60)):
        if n % 10 == 0:
            form = aiohttp.FormData()
            form.add_field(
                "file",
                f"kept for a day {n}".encode(),
                filename="day.txt",
                content_type="text/plain",
            )
            request = session.post(
                f"{base}/api/chat/upload?room_id={room}", data=form, headers=headers
            )
        else:
            request = session.post(
                f"{base}/api/chat/rooms/{room}/messages/",
                json={"content": f"for a day {n}"},
                headers=headers,
            )
        async with request as resp:
            await powerload.answer(resp)


async def cut_during_migration(site: Site) -> None:
    """A data directory at an older schema version (a random one, with messages), and
    the first start of the new code on it, migrating, cut."""
    from chat.db.migrate import available_migrations
    from chat.durable import make_dirs

    make_dirs(site.data_dir, 0o700)
    conn = sqlite3.connect(site.data_dir / "teahouse.db", isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        version = site.rng.randrange(1, len(available_migrations()))
        for number, path in available_migrations()[:version]:
            conn.executescript(
                f"BEGIN;\n{path.read_text()}\nPRAGMA user_version = {number};\nCOMMIT;"
            )
        conn.executemany(
            """INSERT INTO messages (room_id, content, created_at, updated_at)
               VALUES (1, ?, '2024-01-01T00:00:00.000Z', '2024-01-01T00:00:00.000Z')""",
            [(f"from version {version}, {n}",) for n in range(200)],
        )
    finally:
        conn.close()
    await cut_during_start_up(site)


FRESH_CUT_POINTS = {  # each on an empty disk of its own
    "first start": cut_during_start_up,
    "migration": cut_during_migration,
}
CUT_POINTS = {
    "traffic": cut_during_traffic,
    "start-up": cut_during_start_up,
    "search index catch-up": cut_during_index_catch_up,
    "backup": cut_during_backup,
    "restore": cut_during_restore,
    "vacuum": cut_during_vacuum,
    "retention": cut_during_retention,
}
