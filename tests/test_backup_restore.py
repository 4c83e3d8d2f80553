"""Backups that restore: `server.py backup` while a real server takes writes, `server.py
restore` into a new directory, a server on it finds every acknowledged message and file;
restore refuses a damaged archive and a directory that holds a database."""

from __future__ import annotations

import asyncio
import io
import json
import os
import sqlite3
import stat
import sys
import tarfile
import time
from pathlib import Path

import aiohttp
import pytest

from chat.ops.backup import BackupError, backup
from chat.settings import Settings
from tests.serverproc import (
    ROOT,
    ServerProcess,
    clean_env,
    create_database,
    run_cli,
    shared_site_env,
)
from tests.test_uploads import png

pytestmark = pytest.mark.slow
PASSWORD = "correct horse"


async def cli(*args: str, timeout: float = 60) -> tuple[int, str, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "server.py",
        *args,
        cwd=ROOT,
        env=clean_env(),
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), timeout)
    return proc.returncode, out.decode(), err.decode()


async def sign_in(session, base: str, username: str, register: bool) -> dict:
    credentials = {"username": username, "password": PASSWORD}
    path = "/api/auth/register" if register else "/api/auth/login"
    async with session.post(base + path, json=credentials) as resp:
        assert resp.status in (200, 201), await resp.text()
        body = await resp.json()
        return {"Authorization": f"Bearer {body['access_token']}"}


async def upload(session, base, headers, name: str, data: bytes) -> str:
    form = aiohttp.FormData()
    form.add_field("file", io.BytesIO(data), filename=name, content_type="application/octet-stream")
    async with session.post(base + "/api/chat/upload", data=form, headers=headers) as resp:
        assert resp.status == 200, await resp.text()
        return (await resp.json())["file_url"]


async def every_message(session, base, headers) -> dict[int, str]:
    found, page = {}, 1
    while True:
        async with session.get(
            f"{base}/api/chat/rooms/global/messages/",
            params={"page": page, "page_size": 100},
            headers=headers,
        ) as resp:
            assert resp.status == 200, await resp.text()
            batch = (await resp.json())["messages"]
        if not batch:
            return found
        found.update((m["id"], m["content"]) for m in batch)
        page += 1


class Writers:
    """Posters that record each message the server acknowledged, and when."""

    def __init__(self, session, base, headers):
        self.session, self.base, self.headers = session, base, headers
        self.acked: list[tuple[float, int, str]] = []
        self.stop = asyncio.Event()
        self.tasks = [asyncio.create_task(self.post(n)) for n in range(2)]

    async def post(self, writer: int) -> None:
        for count in range(2000):  # bounded: about 1 s of writes before and after the backup
            if self.stop.is_set():
                return
            content = f"writer {writer} message {count}"
            async with self.session.post(
                f"{self.base}/api/chat/rooms/global/messages/",
                json={"content": content},
                headers=self.headers,
            ) as resp:
                assert resp.status == 201, await resp.text()
                self.acked.append((time.monotonic(), (await resp.json())["id"], content))

    async def finish(self) -> None:
        self.stop.set()
        await asyncio.gather(*self.tasks)


async def test_a_backup_taken_during_writes_restores_every_acknowledged_message_and_file(tmp_path):
    archive, restored = tmp_path / "nightly.tar", tmp_path / "restored"
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=20)) as session:
        with ServerProcess(tmp_path / "live") as live:
            headers = await sign_in(session, live.base, "alice", register=True)
            files = {
                await upload(session, live.base, headers, name, data): data
                for name, data in [
                    ("cat.png", png()),
                    ("notes.txt", "会议记录\n".encode() * 500),
                    ("log.txt", b"line\n" * 100_000),
                ]
            }
            writers = Writers(session, live.base, headers)
            await asyncio.sleep(0.5)
            started = time.monotonic()
            code, out, err = await cli("--data-dir", str(live.data_dir), "backup", str(archive))
            assert code == 0, err
            await asyncio.sleep(0.3)
            await writers.finish()
        assert "backed up" in out and "4 files" in out  # the database and three uploads
        assert stat.S_IMODE(os.stat(archive).st_mode) == 0o600

        code, out, err = await cli("restore", str(archive), "--data-dir", str(restored))
        assert code == 0, err
        assert "integrity checked" in out and not err
        assert not (restored / "jwt_secret").exists()  # a backup is not a key to every account

        with ServerProcess(restored) as copy:
            headers = await sign_in(session, copy.base, "alice", register=False)
            found = await every_message(session, copy.base, headers)
            for url, data in files.items():
                async with session.get(copy.base + url, headers=headers) as resp:
                    assert resp.status == 200 and await resp.read() == data, url

    before = [(mid, content) for at, mid, content in writers.acked if at < started]
    assert len(before) > 20, "the writers were too slow to test anything"
    for mid, content in before:
        assert found.get(mid) == content, f"acknowledged message {mid} is missing"
    acked = {mid: content for _, mid, content in writers.acked}
    posted = {mid: content for mid, content in found.items() if content.startswith("writer ")}
    assert all(acked.get(mid) == content for mid, content in posted.items())  # nothing invented
    assert len(posted) < len(acked), "the backup should have run while writes went on"


def tamper(archive: Path, target: Path, name: str) -> None:
    """A copy of archive with one byte of member name changed."""
    with tarfile.open(archive) as source, tarfile.open(target, "w") as copy:
        for member in source.getmembers():
            data = source.extractfile(member).read()
            if member.name == name:
                data = data[:-1] + bytes([data[-1] ^ 1])
            copy.addfile(member, io.BytesIO(data))


async def test_restore_refuses_a_damaged_archive_and_a_directory_with_a_database(tmp_path):
    data = tmp_path / "data"
    await asyncio.to_thread(create_database, data)
    (data / "uploads" / "chat").mkdir(parents=True)
    (data / "uploads" / "chat" / ("a" * 32 + ".png")).write_bytes(png())
    with sqlite3.connect(data / "teahouse.db") as conn:  # a file is archived only with its row
        conn.execute(
            """INSERT INTO uploads (name, original_name, size, uploader_id, created_at)
                        VALUES (?, 'cat.png', ?, NULL, '2026-01-01T00:00:00Z')""",
            ("a" * 32 + ".png", len(png())),
        )
    code, _, err = await cli("--data-dir", str(data), "backup", str(tmp_path / "ok.tar"))
    assert code == 0, err

    await asyncio.to_thread(
        tamper, tmp_path / "ok.tar", tmp_path / "bad.tar", "uploads/chat/" + "a" * 32 + ".png"
    )
    code, _, err = await cli(
        "restore", str(tmp_path / "bad.tar"), "--data-dir", str(tmp_path / "new")
    )
    assert code == 1 and "does not match its manifest" in err
    assert not (tmp_path / "new" / "teahouse.db").exists()
    assert not any((tmp_path / "new").rglob("*.png"))

    before = (data / "teahouse.db").read_bytes()
    code, _, err = await cli("restore", str(tmp_path / "ok.tar"), "--data-dir", str(data))
    assert code == 1 and "already holds a database" in err
    assert (data / "teahouse.db").read_bytes() == before

    (tmp_path / "foreign.tar").write_bytes(b"not a tar at all")
    code, _, err = await cli(
        "restore", str(tmp_path / "foreign.tar"), "--data-dir", str(tmp_path / "n2")
    )
    assert code == 1 and "cannot read" in err and "Traceback" not in err


async def test_restore_refuses_names_that_would_escape_the_data_directory(tmp_path):
    manifest = {
        "format": "teahouse-backup",
        "version": 1,
        "files": {
            "teahouse.db": {"size": 1, "sha256": "0"},
            "uploads/../../evil": {"size": 1, "sha256": "0"},
        },
    }
    with tarfile.open(tmp_path / "evil.tar", "w") as archive:
        body = json.dumps(manifest).encode()
        info = tarfile.TarInfo("MANIFEST.json")
        info.size = len(body)
        archive.addfile(info, io.BytesIO(body))
    code, _, err = await cli(
        "restore", str(tmp_path / "evil.tar"), "--data-dir", str(tmp_path / "n")
    )
    assert code == 1 and "suspicious file name" in err
    assert not (tmp_path / "evil").exists()


def site_with_one_upload(data: Path) -> str:
    """A migrated data directory whose one upload has its file and its row; the name."""
    create_database(data)
    name = "c" * 32 + ".png"
    (data / "uploads" / "chat").mkdir(parents=True)
    (data / "uploads" / "chat" / name).write_bytes(png())
    with sqlite3.connect(data / "teahouse.db") as conn:
        conn.execute(
            """INSERT INTO uploads (name, original_name, size, uploader_id, created_at)
                        VALUES (?, 'cat.png', ?, NULL, '2026-01-01T00:00:00Z')""",
            (name, len(png())),
        )
    return name


def test_restore_puts_the_files_into_chat_files_dir_when_it_is_set(tmp_path):
    """A site whose files live on a mount (CHAT_FILES_DIR) reads them there after a
    restore, not from DATA_DIR/uploads; a files directory that already holds uploads is
    refused like a data directory that holds a database."""
    name = site_with_one_upload(tmp_path / "data")
    assert run_cli(tmp_path / "data", "backup", str(tmp_path / "site.tar")).returncode == 0
    files, restored = tmp_path / "mount", tmp_path / "restored"
    done = run_cli(restored, "restore", str(tmp_path / "site.tar"), CHAT_FILES_DIR=str(files))
    assert done.returncode == 0, done.stderr
    assert str(files.resolve()) in done.stdout
    settings = Settings(data_dir=restored, files_dir=files)
    assert (settings.chat_uploads_dir / name).read_bytes() == png()
    assert not (restored / "uploads").exists()
    assert [p.name for p in files.iterdir()] == ["chat"]  # the staging folder is gone
    assert (restored / "teahouse.db").exists()

    again = run_cli(
        tmp_path / "new", "restore", str(tmp_path / "site.tar"), CHAT_FILES_DIR=str(files)
    )
    assert again.returncode == 1 and "already holds files" in again.stderr
    assert not (tmp_path / "new" / "teahouse.db").exists()


def test_restore_into_a_postgresql_site_says_to_restore_then_move(tmp_path):
    site_with_one_upload(tmp_path / "data")
    assert run_cli(tmp_path / "data", "backup", str(tmp_path / "site.tar")).returncode == 0
    env = {"CHAT_DATABASE_URL": "postgresql://chat@127.0.0.1:1/teahouse"}
    env |= shared_site_env("s" * 40, tmp_path / "files")
    done = run_cli(tmp_path / "new", "restore", str(tmp_path / "site.tar"), **env)
    assert done.returncode == 1 and "migrate-to-postgres" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "new" / "teahouse.db").exists()
    assert not (tmp_path / "files").exists()


def test_a_file_without_its_upload_row_is_not_archived(tmp_path):
    """What a power cut between an upload's file and its row leaves (the file is made
    durable first, docs/durability.md) is no upload: a backup does not carry it."""
    data = tmp_path / "data"
    create_database(data)
    stray = data / "uploads" / "chat" / ("ab" * 16 + ".txt")
    stray.parent.mkdir(parents=True, exist_ok=True)
    stray.write_bytes(b"never recorded")
    done = run_cli(data, "backup", str(tmp_path / "b.tar"))
    assert done.returncode == 0, done.stderr
    with tarfile.open(tmp_path / "b.tar") as archive:
        assert archive.getnames() == ["teahouse.db", "MANIFEST.json"]


def test_backup_of_a_postgresql_site_says_to_use_pg_dump(tmp_path):
    """`server.py backup` copies a SQLite site; on PostgreSQL it refuses in one line
    that names the tools, and writes nothing."""
    url = "postgresql://chat@127.0.0.1:1/teahouse"
    settings = Settings(data_dir=tmp_path / "data", database_url=url)
    with pytest.raises(BackupError, match="pg_dump"):
        backup(settings, tmp_path / "site.tar")
    assert not (tmp_path / "site.tar").exists()
