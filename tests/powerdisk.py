"""A disk whose power can be cut: tests/powerfs.py mounted over a real folder.

`PowerDisk(root)` keeps the disk's contents in root/live and serves them at
root/mnt; `cut()` is the power cut (the file system forgets what was not synced and
rebuilds root/live as the disk would be when power returns), `mount()` is power
coming back. Whoever runs a process on the disk kills it before the cut.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MOUNT_TIMEOUT = 10.0


class PowerDisk:
    def __init__(self, root: Path, mode: str = "lose", seed: int = 0):
        self.root = root
        self.live, self.mnt = root / "live", root / "mnt"
        self.mode, self.seed = mode, seed
        self.live.mkdir(parents=True, exist_ok=True)
        self.mnt.mkdir(parents=True, exist_ok=True)
        self.process: subprocess.Popen | None = None
        self.log = root / "powerfs.log"
        self.cuts = 0

    def mount(self) -> PowerDisk:
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "tests.powerfs",
                    str(self.live),
                    str(self.mnt),
                    "--mode",
                    self.mode,
                    "--seed",
                    str(self.seed + self.cuts),
                ],
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        deadline = time.monotonic() + MOUNT_TIMEOUT
        while not os.path.ismount(self.mnt):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.process.kill()
                raise RuntimeError(
                    f"powerfs did not mount:\n{self.log.read_text(errors='replace')}"
                )
            time.sleep(0.02)
        return self

    def cut(self) -> None:
        """Power off: unsynced writes and directory entries are gone from live/."""
        unmount(self.mnt)
        self.process.wait(timeout=60)
        self.cuts += 1
        if self.process.returncode != 0:
            raise RuntimeError(
                f"powerfs failed at the cut:\n{self.log.read_text(errors='replace')}"
            )

    def power_cycle(self) -> None:
        self.cut()
        self.mount()

    def close(self) -> None:
        if self.process and self.process.poll() is None:
            unmount(self.mnt)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def unmount(mnt: Path) -> None:
    for _ in range(50):  # EBUSY while a killed process's files are still closing
        done = subprocess.run(["fusermount3", "-u", str(mnt)], capture_output=True, text=True)
        if done.returncode == 0 or not os.path.ismount(mnt):
            return
        time.sleep(0.1)
    raise RuntimeError(f"cannot unmount {mnt}: {done.stderr.strip()}")


@cache
def fuse_unavailable() -> str | None:
    """Why this machine cannot mount powerfs, or None when it can (tried for real)."""
    if shutil.which("fusermount3") is None:
        return "fusermount3 is missing (Debian package fuse3)"
    if not os.path.exists("/dev/fuse"):
        return "/dev/fuse is missing (no FUSE in this kernel or container)"
    import tempfile

    with tempfile.TemporaryDirectory(prefix="powerfs-probe-") as root:
        disk = PowerDisk(Path(root))
        try:
            disk.mount()
        except (RuntimeError, OSError) as exc:
            return f"cannot mount a FUSE file system here: {exc}"
        disk.close()
    return None
