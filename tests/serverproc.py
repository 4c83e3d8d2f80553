"""`python server.py` as a real process, for the tests that need one: start it on a free
127.0.0.1 port, wait for /healthz, kill or stop it, restart it on the same port and data."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import ec

from chat.push.vapid import b64url
from tests.helpers import RATES_OFF_ENV

ROOT = Path(__file__).resolve().parents[1]
START_TIMEOUT = 30.0  # a start takes about a second, 9–10 s at a load average of 14


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def clean_env(**extra: str) -> dict:
    """This environment without CHAT_* settings, with rate limits off, plus extra."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("CHAT_")}
    return {**env, "PYTHONUNBUFFERED": "1", **RATES_OFF_ENV, **extra}


def create_database(data_dir: Path) -> None:
    """A migrated database in data_dir, as a first start leaves it (subcommands need one)."""
    from chat.db import Database

    async def create() -> None:
        db = Database(data_dir / "teahouse.db")
        await db.open()
        await db.close()

    asyncio.run(create())


def run_cli(
    data_dir: Path, *args: str, timeout: float = 30, **env: str
) -> subprocess.CompletedProcess:
    """server.py --data-dir data_dir args..., run to completion (env: CHAT_* settings)."""
    return subprocess.run(
        [sys.executable, "server.py", "--data-dir", str(data_dir), *args],
        cwd=ROOT,
        env=clean_env(**env),
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )


class ServerProcess:
    def __init__(self, data_dir: Path, log_path: Path | None = None, **env: str):
        self.data_dir = data_dir
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = clean_env(**env)
        self.log_path = log_path or data_dir.parent / f"server-{self.port}.log"
        self.process: subprocess.Popen | None = None

    def spawn(self) -> ServerProcess:
        """Start the process without waiting for it to be healthy (a cut during start-up)."""
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "server.py",
                    "--port",
                    str(self.port),
                    "--data-dir",
                    str(self.data_dir),
                ],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        return self

    def start(self) -> ServerProcess:
        return self.spawn().wait_healthy()

    def wait_healthy(self) -> ServerProcess:
        """Until the spawned process answers /healthz (or fails the test)."""
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"server exited with {self.process.returncode}:\n{self.output()}"
                )
            try:
                with urllib.request.urlopen(self.base + "/healthz", timeout=1) as resp:
                    if resp.status == 200:
                        return self
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.05)
        self.kill()
        raise RuntimeError(f"server did not become healthy:\n{self.output()}")

    def output(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def kill(self) -> None:
        """A crash (SIGKILL), not a shutdown."""
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()

    def restart(self) -> None:
        self.kill()
        self.start()

    def __enter__(self) -> ServerProcess:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


async def register_at(session, base: str, username: str, password: str = "correct horse") -> dict:
    """Sign up on a server process (an aiohttp ClientSession, its base URL): the body."""
    async with session.post(
        f"{base}/api/auth/register", json={"username": username, "password": password}
    ) as resp:
        assert resp.status == 201, await resp.text()
        return await resp.json()


def vapid_key() -> str:
    """A fresh VAPID private key, as CHAT_VAPID_PRIVATE_KEY takes it."""
    scalar = ec.generate_private_key(ec.SECP256R1()).private_numbers().private_value
    return b64url(scalar.to_bytes(32, "big"))


def shared_site_env(secret: str, files_dir: Path) -> dict[str, str]:
    """What a site several hosts share (or any PostgreSQL site) must be given rather
    than make up in one data directory (chat/host_settings.py)."""
    return {
        "CHAT_SECRET": secret,
        "CHAT_VAPID_PRIVATE_KEY": vapid_key(),
        "CHAT_FILES_DIR": str(files_dir),
    }
