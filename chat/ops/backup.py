"""Backups that restore: one tar archive holding a consistent copy of the database, every
uploaded file, and MANIFEST.json with the size and sha256 of each.

Order matters for consistency with a live server: the database is copied first (SQLite's
backup API, one snapshot), then the uploads the snapshot records. An upload is durable
on disk before its record is committed, so every file the snapshot knows about is
already there; a file without a record (uploaded after the snapshot, or left by a power
cut between the file and its row) is not archived. The JWT secret is left out on purpose: a backup
is then not a key to every account, and after a restore everyone simply signs in again.

Restore refuses a data directory that holds a database, checks the manifest (names,
sizes, hashes) and PRAGMA integrity_check before it moves anything into place, and
writes the database last, so a refused or interrupted restore never leaves a usable-
looking but incomplete data directory. The files go where the restored site reads them:
CHAT_FILES_DIR when it is set (a mount outside the data directory), else DATA_DIR/uploads;
they are staged inside that folder, so moving them into place is a rename on its own
file system.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from chat import durable
from chat.clock import iso_utc
from chat.core.site import audit
from chat.core.site.export_records import sha256_of
from chat.db.sqlite_engine import backup_file
from chat.ops.datadir import PRIVATE_DIR, PRIVATE_FILE, create_private, require_database
from chat.settings import Settings

FORMAT = "teahouse-backup"
VERSION = 1
MANIFEST = "MANIFEST.json"
DATABASE = "teahouse.db"
# What an archive may contain besides the manifest: nothing else is ever extracted.
MEMBER = re.compile(r"teahouse\.db|uploads(/[A-Za-z0-9_-][A-Za-z0-9._-]{0,200}){1,3}")
CHUNK = 1 << 20


class BackupError(Exception):
    """A backup that cannot be made, or an archive that must not be restored."""


@dataclass(frozen=True)
class Summary:
    path: Path
    files: int
    total_bytes: int
    missing: tuple[str, ...] = ()  # uploads the database names but the disk lacks


def upload_files(settings: Settings, recorded: set[str]) -> list[Path]:
    """The files under uploads/ that the database records (in-flight *.part files and
    files whose row never committed are not data)."""
    if not settings.uploads_dir.is_dir():
        return []
    return sorted(
        p
        for p in settings.uploads_dir.rglob("*")
        if p.is_file() and not p.is_symlink() and archive_name(settings, p) in recorded
    )


def archive_name(settings: Settings, path: Path) -> str:
    """uploads/chat/<name>, wherever the files live (CHAT_FILES_DIR may be a mount
    outside the data directory): restore puts them in DATA_DIR/uploads."""
    return "uploads/" + path.relative_to(settings.uploads_dir).as_posix()


def recorded_uploads(database: Path) -> set[str]:
    conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        return {f"uploads/chat/{name}" for (name,) in conn.execute("SELECT name FROM uploads")}
    except sqlite3.OperationalError:  # a database from before uploads existed
        return set()
    finally:
        conn.close()


def backup(settings: Settings, target: Path) -> Summary:
    """Write the archive to target (0600), atomically: a crash leaves no half archive."""
    require_database(settings)
    if settings.database != settings.database_path:
        raise BackupError(
            "this site's database is PostgreSQL: back it up with pg_dump or point-in-time "
            "recovery (docs/scale-out.md), and the files in CHAT_FILES_DIR with the same tools "
            "as any shared directory"
        )
    target = Path(target)
    if target.is_dir():
        raise BackupError(f"{target} is a directory: give the archive's file name")
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".teahouse-backup-") as work:
        os.chmod(work, PRIVATE_DIR)
        database = Path(work) / DATABASE
        # Before the snapshot, so the archive holds the entry of its own making.
        audit.record_command_now(settings.database_path, "backup_started", file=str(target))
        backup_file(settings.database_path, database)  # one consistent snapshot
        recorded = recorded_uploads(database)
        entries = [(DATABASE, database)] + [
            (archive_name(settings, path), path) for path in upload_files(settings, recorded)
        ]
        partial = Path(work) / "archive.tar"
        create_private(partial)
        files, total = {}, 0
        with tarfile.open(partial, "w", format=tarfile.PAX_FORMAT) as archive:
            for name, path in entries:
                try:
                    files[name] = {"size": path.stat().st_size, "sha256": sha256_of(path)}
                    archive.add(path, arcname=name, recursive=False)
                except FileNotFoundError:  # deleted by the live server since we listed it
                    files.pop(name, None)
                    continue
                total += files[name]["size"]
            manifest = json.dumps(
                {"format": FORMAT, "version": VERSION, "created_at": iso_utc(), "files": files},
                indent=1,
                sort_keys=True,
            ).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mode, info.mtime = (
                len(manifest),
                PRIVATE_FILE,
                int(os.path.getmtime(database)),
            )
            archive.addfile(info, io.BytesIO(manifest))
        durable.replace(partial, target)  # "backed up" is said only once it is on the disk
        missing = tuple(sorted(name for name in recorded if name not in files))
    return Summary(target, len(files), total, missing)


def read_manifest(archive: tarfile.TarFile) -> dict:
    try:
        member = archive.getmember(MANIFEST)
        manifest = json.load(archive.extractfile(member))
    except (KeyError, ValueError, AttributeError, TypeError):
        raise BackupError(f"no readable {MANIFEST}: not a Teahouse backup") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError("not a Teahouse backup")
    if manifest.get("version") != VERSION:
        raise BackupError(f"backup format version {manifest.get('version')} is not supported")
    files = manifest.get("files")
    if not isinstance(files, dict) or DATABASE not in files:
        raise BackupError(f"{MANIFEST} lists no database")
    for name in files:
        if not MEMBER.fullmatch(name) or ".." in name.split("/"):
            raise BackupError(f"refusing a suspicious file name in the archive: {name!r}")
    return manifest


def check_empty_target(settings: Settings) -> None:
    data_dir = settings.data_dir
    for name in (DATABASE, DATABASE + "-wal"):
        if (data_dir / name).exists():
            raise BackupError(
                f"{data_dir.resolve()} already holds a database: restore into a "
                "new directory (and never over a running server's)"
            )
    uploads = settings.chat_uploads_dir
    if uploads.exists() and any(p.is_file() for p in uploads.rglob("*")):
        raise BackupError(f"{uploads.resolve()} already holds files: restore into a new directory")


def restore(archive_path: Path, settings: Settings) -> Summary:
    """Unpack a checked archive into settings' data directory, its files into
    settings.uploads_dir (CHAT_FILES_DIR or DATA_DIR/uploads)."""
    data_dir, uploads = settings.data_dir, settings.uploads_dir
    if settings.database != settings.database_path:
        raise BackupError(
            "a backup archive holds a SQLite site: restore it without CHAT_DATABASE_URL, "
            "then move it with `server.py migrate-to-postgres` (docs/scale-out.md)"
        )
    check_empty_target(settings)
    durable.make_dirs(data_dir, PRIVATE_DIR)
    durable.make_dirs(uploads, PRIVATE_DIR)
    try:
        archive = tarfile.open(archive_path, "r:*")
    except (OSError, tarfile.TarError) as exc:
        raise BackupError(f"cannot read {archive_path}: {exc}") from None
    with (
        archive,
        tempfile.TemporaryDirectory(dir=data_dir, prefix=".restore-") as work,
        tempfile.TemporaryDirectory(dir=uploads, prefix=".restore-") as files,
    ):
        manifest = read_manifest(archive)
        staged, staged_files = Path(work), Path(files)
        for name, expected in manifest["files"].items():
            target = staged / name if name == DATABASE else staged_files / name
            extract_checked(archive, name, expected, target)
        check_integrity(staged / DATABASE)
        missing = tuple(
            sorted(n for n in recorded_uploads(staged / DATABASE) if n not in manifest["files"])
        )
        total = sum(entry["size"] for entry in manifest["files"].values())
        move_files(staged_files / "uploads", uploads)
        # Last, and only after the uploads' names are durable: now it is a data dir.
        durable.replace(staged / DATABASE, data_dir / DATABASE)
    return Summary(data_dir / DATABASE, len(manifest["files"]), total, missing)


def move_files(staged: Path, uploads: Path) -> None:
    """Each staged folder (chat/) renamed into uploads, its names durable first; a folder
    already there is empty (check_empty_target)."""
    if not staged.is_dir():
        return
    private_tree(staged)
    durable.sync_tree(staged)
    for folder in staged.iterdir():
        destination = uploads / folder.name
        if destination.exists():
            shutil.rmtree(destination)
        durable.replace(folder, destination)


def extract_checked(archive: tarfile.TarFile, name: str, expected: dict, target: Path) -> None:
    try:
        member = archive.getmember(name)
    except KeyError:
        raise BackupError(f"the archive lacks {name}, which its manifest lists") from None
    if not member.isfile():
        raise BackupError(f"{name} in the archive is not a regular file")
    target.parent.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR)
    digest, size = hashlib.sha256(), 0
    source = archive.extractfile(member)
    create_private(target)
    with open(target, "wb") as out:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
        out.flush()
        os.fsync(out.fileno())
    if size != expected.get("size") or digest.hexdigest() != expected.get("sha256"):
        raise BackupError(f"{name} does not match its manifest entry: the archive is damaged")


def check_integrity(database: Path) -> None:
    conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        result = [row[0] for row in conn.execute("PRAGMA integrity_check")]
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"the database in the archive is unreadable: {exc}") from None
    finally:
        conn.close()
    if result != ["ok"]:
        raise BackupError(
            "the database in the archive fails PRAGMA integrity_check: " + "; ".join(result[:5])
        )


def private_tree(root: Path) -> None:
    os.chmod(root, PRIVATE_DIR)
    for path in root.rglob("*"):
        os.chmod(path, PRIVATE_DIR if path.is_dir() else PRIVATE_FILE)
