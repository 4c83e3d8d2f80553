"""Power cuts below the process: the server's data directory is on tests/powerfs.py,
which forgets whatever was not fsync'd when the power goes. Each write path we own gets
a cut right after it acknowledged something (these failed before chat/durable.py was
used there), and a few random cuts among live traffic over every dialect run on every
CI run; tools/powercut.py runs hundreds by hand (docs/durability.md)."""

from __future__ import annotations

import json
import os
import tarfile

import aiohttp
import pytest

from chat.durable import make_dirs, sync_dir, write_file
from tests import powerload
from tests.powercut import CUT_POINTS, FRESH_CUT_POINTS, Site, cut_during_traffic, traffic
from tests.powerdisk import fuse_unavailable
from tests.serverproc import run_cli

pytestmark = pytest.mark.slow


def require_fuse() -> None:
    reason = fuse_unavailable()
    if reason:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must be able to mount FUSE (Debian package fuse3): {reason}")
        pytest.skip(reason)


@pytest.fixture
def site(tmp_path):
    require_fuse()
    site = Site(tmp_path, seed=int.from_bytes(os.urandom(4), "big"))
    site.disk.mount()
    yield site
    site.disk.close()


def assert_no_problems(site: Site) -> None:
    assert not site.problems, f"seed {site.seed}:\n" + "\n".join(site.problems[:30])


@pytest.mark.parametrize("data_dir", ["made by the server", "made before"])
async def test_a_first_start_its_secret_and_sign_ups_survive_a_power_cut(site, data_dir):
    """The server makes the data directory and its folders (they were lost), or finds it
    empty, as a package makes it, and makes the secret (whose name was lost: a new one
    signed everyone out)."""
    if data_dir == "made before":
        make_dirs(site.data_dir, 0o700)
    server = site.server().start()
    await site.sign_up(server)
    site.cut(server)
    await site.verify("after the first sign-ups")
    assert_no_problems(site)


async def test_acknowledged_uploads_survive_a_power_cut_whole(site):
    await traffic(site, 0.4)  # acknowledged: a clean stop follows
    assert site.ledger.uploads
    site.cut()
    await site.verify("after uploads")
    assert_no_problems(site)


async def test_a_finished_backup_survives_a_power_cut(site, tmp_path):
    await traffic(site, 0.4)  # acknowledged: a clean stop follows
    archive = site.disk.mnt / "teahouse-backup.tar"
    done = run_cli(site.data_dir, "backup", str(archive))
    assert done.returncode == 0, done.stderr
    site.cut()
    with tarfile.open(site.disk.mnt / "teahouse-backup.tar") as tar:
        assert "MANIFEST.json" in tar.getnames()
    restored = tmp_path / "restored"
    done = run_cli(restored, "restore", str(archive))
    assert done.returncode == 0, done.stderr


async def test_a_finished_restore_survives_a_power_cut(site, tmp_path):
    await traffic(site, 0.4)  # acknowledged: a clean stop follows
    archive = tmp_path / "teahouse-backup.tar"
    assert run_cli(site.data_dir, "backup", str(archive)).returncode == 0
    for path in sorted(site.data_dir.rglob("*"), reverse=True):  # the disk is lost...
        path.rmdir() if path.is_dir() else path.unlink()
    site.data_dir.rmdir()
    sync_dir(site.disk.mnt)
    site.cut()
    done = run_cli(site.data_dir, "restore", str(archive))  # ...and restored from the backup
    assert done.returncode == 0, done.stderr
    site.cut()
    with site.server() as server:  # a backup leaves the secret out: everyone signs in again
        async with aiohttp.ClientSession() as session:
            for name in site.ledger.tokens:
                async with session.post(
                    f"{server.base}/api/auth/login",
                    json={"username": name, "password": powerload.PASSWORD},
                ) as resp:
                    assert resp.status == 200, f"{name}'s restored account is gone"
                    site.ledger.tokens[name] = (await resp.json())["access_token"]
    await site.verify("after the restore")
    assert_no_problems(site)


async def test_a_finished_export_survives_a_power_cut(site):
    await traffic(site, 0.4)  # acknowledged: a clean stop follows
    target = site.disk.mnt / "site.jsonl"
    done = run_cli(site.data_dir, "export", str(target))
    assert done.returncode == 0, done.stderr
    site.cut()
    lines = [json.loads(line) for line in target.read_text().splitlines()]
    assert lines and lines[-1]["type"] == "end"


@pytest.mark.parametrize("mode", ["lose", "torn", "reorder"])
async def test_power_cuts_during_traffic_lose_nothing_acknowledged(tmp_path, mode):
    """Cuts at random moments while every dialect sends, edits, reacts and uploads;
    `torn` and `reorder` let part of the unsynced writes reach the disk, as real disks do."""
    require_fuse()
    site = Site(tmp_path, mode=mode, seed=int.from_bytes(os.urandom(4), "big"))
    site.disk.mount()
    try:
        await cut_during_traffic(site)
    finally:
        site.disk.close()
    assert site.ledger.count() > 0
    assert_no_problems(site)


@pytest.mark.parametrize("name", ["retention", "search index catch-up", "migration"])
async def test_a_cut_in_a_background_job_or_a_migration_loses_nothing(site, name):
    """A sample of tools/powercut.py's other cut points (the retention cut found that a
    purge left every unread count wrong: migration 0017)."""
    if name in CUT_POINTS:
        await cut_during_traffic(site)
    await {**CUT_POINTS, **FRESH_CUT_POINTS}[name](site)
    assert_no_problems(site)


def test_an_unsynced_file_and_name_are_gone_after_a_cut_and_synced_ones_stay(site):
    """The layer itself: what it promises to forget, and what it must keep."""
    unsynced = site.disk.mnt / "unsynced"
    unsynced.write_bytes(b"lost")
    write_file(site.disk.mnt / "kept", b"kept", 0o600)
    with open(site.disk.mnt / "kept", "ab") as handle:
        handle.write(b" and lost")
    (site.disk.mnt / "folder").mkdir()
    (site.disk.mnt / "folder" / "inner").mkdir()
    sync_dir(site.disk.mnt)
    site.cut()
    assert (site.disk.mnt / "kept").read_bytes() == b"kept"
    assert unsynced.read_bytes() == b""  # its name was synced with the folder, never its bytes
    assert (site.disk.mnt / "folder").is_dir()
    assert not (site.disk.mnt / "folder" / "inner").exists()
