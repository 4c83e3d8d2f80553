"""`server.py --workers N`: N server processes on one port.

Each worker is a whole Teahouse process listening with SO_REUSEPORT, so the kernel
spreads connections over them; they share the SQLite file (WAL, BEGIN IMMEDIATE, a busy
timeout) and the uploads directory, and fan-out, presence and limits over Redis. This
parent prepares the data directory once (migrations, the secret) so workers never race
at it, tells systemd it is ready once the port answers, restarts a worker that dies,
and passes SIGTERM/SIGINT on.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from chat.ops.datadir import load_secret, prepare_data_dir
from chat.settings import Settings

log = logging.getLogger(__name__)
STOP_SECONDS = 10.0
RESTART_DELAY = 1.0


def worker_argv(argv: list[str]) -> list[str]:
    """The parent's arguments without --workers (a worker is one process)."""
    out, skip = [], False
    for arg in argv:
        if skip:
            skip = False
        elif arg == "--workers":
            skip = True
        elif not arg.startswith("--workers="):
            out.append(arg)
    return out


async def prepare(settings: Settings) -> None:
    from chat.db import Database

    prepare_data_dir(settings)
    db = Database(settings.database)
    await db.open()
    await db.close()
    load_secret(settings)


def run_workers(settings: Settings, script: Path, argv: list[str]) -> int:
    from chat.ops.notify import notify

    asyncio.run(prepare(settings))
    env = dict(os.environ, CHAT_WORKERS="1")
    env.pop("NOTIFY_SOCKET", None)  # only this parent talks to systemd
    command = [sys.executable, str(script), *worker_argv(argv)]
    stopping = False

    def stop(signum, frame) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    workers = [subprocess.Popen(command, env=env) for _ in range(settings.workers)]
    print(
        f"Teahouse: {settings.workers} workers on http://{settings.host}:{settings.port}/ "
        f"sharing {settings.data_dir.resolve()} (Ctrl+C to stop)",
        flush=True,
    )
    ready = False
    while not stopping:
        time.sleep(0.2)
        if not ready and _answers(settings.host, settings.port):
            ready = True
            notify("READY=1", f"STATUS={settings.workers} workers serving")
        for index, worker in enumerate(workers):
            if worker.poll() is not None and not stopping:
                log.warning(
                    "worker %s exited with %s; starting another", worker.pid, worker.returncode
                )
                time.sleep(RESTART_DELAY)
                workers[index] = subprocess.Popen(command, env=env)
    notify("STOPPING=1")
    for worker in workers:
        if worker.poll() is None:
            worker.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + STOP_SECONDS
    for worker in workers:
        try:
            worker.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
    return 0


def _answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False
