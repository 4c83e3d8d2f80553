"""Power cuts of a real server process: the server runs with its data directory on a
PowerDisk; at a random moment it is killed (SIGKILL) and the disk loses what was not
synced; power returns, the server starts again on what is left, and tests/powercheck.py
says what went wrong. Used by tests/test_power_cuts.py (a few cuts per CI run) and by
tools/powercut.py (hundreds, by hand).
"""
from __future__ import annotations

import asyncio
import random
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

from tests import powercheck, powerload
from tests.powerdisk import PowerDisk
from tests.powerload import Ledger
from tests.serverproc import ServerProcess

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
    problems: list[str] = field(default_factory=list)

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
        self.disk.power_cycle()
        self.cuts += 1

    async def verify(self, label: str) -> None:
        """Start the server on what the cut left, wait for the search index to catch up,
        and record every problem (prefixed with the cut's label)."""
        try:
            with self.server() as server:
                found = await serve_checks(server, self.ledger) + wait_for_index(self.data_dir)
                found += powercheck.check_all(self.data_dir, self.ledger)
        except RuntimeError as exc:  # did not start: the worst outcome, and a clear one
            found = [f"the server does not start: {str(exc)[-2000:]}"]
        self.problems += [f"cut {self.cuts} ({label}): {problem}" for problem in found]


async def serve_checks(server: ServerProcess, ledger: Ledger) -> list[str]:
    """Through HTTP: the tokens issued before the cut still work (the secret survived),
    and every acknowledged upload is served with the bytes that were sent."""
    problems = []
    async with aiohttp.ClientSession() as session:
        for name, token in ledger.tokens.items():
            async with session.get(f"{server.base}/api/auth/me",
                                   headers={"Authorization": f"Bearer {token}"}) as resp:
                if resp.status != 200:
                    problems.append(f"{name}'s token from before the cut is refused ({resp.status})")
        headers = {"Authorization": f"Bearer {ledger.tokens['bob']}"} if ledger.tokens else {}
        for name, data in ledger.uploads.items():
            async with session.get(f"{server.base}/uploads/chat/{name}", headers=headers) as resp:
                if resp.status != 200 or await resp.read() != data:
                    problems.append(f"acknowledged upload {name} is served as {resp.status}, "
                                    "not the bytes sent")
    return problems


def wait_for_index(data_dir: Path) -> list[str]:
    deadline = time.monotonic() + CATCH_UP_TIMEOUT
    while time.monotonic() < deadline:
        conn = sqlite3.connect(f"file:{data_dir / 'teahouse.db'}?mode=ro", uri=True, timeout=10)
        try:
            upto, latest = conn.execute("SELECT (SELECT upto FROM search_indexed), "
                                        "(SELECT COALESCE(MAX(id), 0) FROM messages)").fetchone()
        finally:
            conn.close()
        if upto == latest:
            return []
        time.sleep(0.1)
    return [f"the search index did not catch up within {CATCH_UP_TIMEOUT:g} s"]


async def cut_during_traffic(site: Site, longest: float = 2.0) -> None:
    """Every dialect's clients at a steady rate, the cut at a random moment among them."""
    server = site.server().start()
    try:
        if not site.ledger.tokens:
            async with aiohttp.ClientSession() as session:
                await powerload.sign_up(session, server.base, site.ledger)
        moment = site.rng.uniform(0.2, longest)
        await powerload.traffic(server.base, site.ledger, moment, site.rng,
                                at_the_end=lambda: site.cut(server))
    finally:
        server.kill()
    await site.verify(f"traffic, {moment:.2f} s in")
