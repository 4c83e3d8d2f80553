"""Faults show as what they are: a full disk is a 507 (and writes resume when space
returns), /healthz says 503 and why, and a database that cannot be written stops the
server at start with a clear message. The disk is a real tmpfs of a few megabytes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from chat.app import create_app
from chat.settings import Settings
from tests.helpers import NO_RATE_LIMITS, assert_error, make_room, register
from tests.serverproc import ROOT, ServerProcess, clean_env, free_port
from tests.test_uploads import pdf, upload

DISK_MB = 6


@pytest.fixture
def small_disk(tmp_path):
    """A tmpfs of DISK_MB mounted for this test (root only; CI must be able to)."""
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={DISK_MB}m", "tmpfs", str(mount)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must be able to mount a tmpfs: {done.stderr}")
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def fill(disk: Path) -> Path:
    """Take every free byte of the disk; the filler file, to delete later."""
    filler = disk / "filler"
    # Unbuffered: a buffered file would fail again on close, flushing what did not fit.
    with open(filler, "wb", buffering=0) as out:
        try:
            while True:
                out.write(b"\0" * 65536)
        except OSError:
            pass
    return filler


async def test_a_full_disk_is_507_and_writes_resume_when_space_returns(
    aiohttp_client, small_disk, caplog
):
    settings = Settings(data_dir=small_disk / "data", min_free_mb=1, **NO_RATE_LIMITS)
    client = await aiohttp_client(create_app(settings))
    alice = await register(client, "alice")
    room = await make_room(client, alice)
    filler = fill(small_disk)
    statuses = []
    for n in range(300):  # the WAL may still have room for a few messages
        resp = await client.post(
            f"/api/chat/rooms/{room['id']}/messages/",
            json={"content": f"on a full disk {n} " + "x" * 2000},
            headers=alice.headers,
        )
        statuses.append(resp.status)
        if resp.status == 507:
            assert "disk is full" in await assert_error(resp, 507, "channels")
            break
        assert resp.status == 201, await resp.text()
    assert statuses[-1] == 507, statuses
    health = await client.get("/healthz")
    assert health.status == 503
    reasons = " ".join((await health.json())["reasons"])
    assert "free space" in reasons and "disk full" in reasons, reasons
    resp = await upload(client, alice, "doc.pdf", pdf() + b" " * 200_000, "application/pdf")
    await assert_error(resp, 507, "simple")
    assert not [p for p in (settings.chat_uploads_dir).iterdir()]  # no .part left behind

    filler.unlink()
    resp = await client.post(
        f"/api/chat/rooms/{room['id']}/messages/",
        json={"content": "space is back"},
        headers=alice.headers,
    )
    assert resp.status == 201, await resp.text()
    assert (await client.get("/healthz")).status == 200
    tracebacks = [r for r in caplog.records if r.exc_info]
    assert not tracebacks, [r.getMessage() for r in tracebacks]


async def test_healthz_is_503_when_free_space_is_below_the_threshold(aiohttp_client, tmp_path):
    settings = Settings(data_dir=tmp_path / "data", min_free_mb=10**9)
    client = await aiohttp_client(create_app(settings))
    resp = await client.get("/healthz")
    assert resp.status == 503
    assert "CHAT_MIN_FREE_MB" in (await resp.json())["reasons"][0]


async def test_livez_answers_without_the_checks_healthz_makes(aiohttp_client, tmp_path):
    """What a page whose socket dropped probes every few seconds: cheap and never cached."""
    settings = Settings(data_dir=tmp_path / "data", min_free_mb=10**9)
    client = await aiohttp_client(create_app(settings))
    assert (await client.get("/healthz")).status == 503
    resp = await client.get("/livez")
    assert resp.status == 200 and resp.headers["Cache-Control"] == "no-store"
    assert await resp.json() == {"status": "alive"}


@pytest.mark.slow
def test_a_database_that_cannot_be_written_stops_the_server_at_start(small_disk):
    data = small_disk / "data"
    with ServerProcess(data, log_path=small_disk.parent / "first.log", CHAT_MIN_FREE_MB="0"):
        pass  # creates and migrates the database, then stops cleanly
    fill(small_disk)
    done = subprocess.run(
        [sys.executable, "server.py", "--port", str(free_port()), "--data-dir", str(data)],
        cwd=ROOT,
        env=clean_env(CHAT_MIN_FREE_MB="0"),
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode != 0
    assert "Cannot start: the database" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr + done.stdout, done.stderr
