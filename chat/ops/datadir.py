"""The data directory's files are private, whatever the directory itself looks like.

A git clone ships data/ (mode 0755), and service managers create StateDirectory= with
their own mode, so creating the directory 0700 is not enough: the database and its
WAL hold password hashes and every message, jwt_secret signs every token, uploads are
the team's files. Each of them is created 0600 (0700 for folders) and tightened again
at every start, in case an older version or a copy left it readable.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import secrets
from pathlib import Path

from chat.durable import create_once, make_dirs, sync_dir
from chat.settings import Settings, SettingsError

PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700
MIN_SECRET = 16  # characters: a shorter CHAT_SECRET or file is refused


class ServerRunning(Exception):
    """A maintenance command that needs the data directory to itself found a server on it."""

    def __init__(self, settings: Settings):
        super().__init__(
            f"a Teahouse server is running on {settings.data_dir.resolve()}: stop it "
            "first (systemctl stop teahouse), then run this again"
        )


class NoDatabase(Exception):
    """A command that works on existing data was pointed at a directory without any."""

    def __init__(self, path: Path):
        super().__init__(
            f"no Teahouse database at {path.resolve()} "
            "(wrong --data-dir? a new server creates it on first start)"
        )


def create_private(path: Path) -> None:
    """Create path empty and 0600 if it does not exist yet (never truncates)."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT, PRIVATE_FILE))
    os.chmod(path, PRIVATE_FILE)


def private_folder(path: Path) -> None:
    make_dirs(path, PRIVATE_DIR)  # a folder whose name a power cut loses takes its files along
    os.chmod(path, PRIVATE_DIR)


def prepare_data_dir(settings: Settings) -> None:
    """Create what the server needs, private; tighten what an earlier run left open."""
    make_dirs(settings.data_dir, PRIVATE_DIR)
    private_folder(settings.uploads_dir)
    private_folder(settings.chat_uploads_dir)
    if settings.database == settings.database_path:  # SQLite (not CHAT_DATABASE_URL=postgresql)
        # SQLite gives -wal and -shm the file's mode, so a 0600 database keeps them 0600.
        create_private(settings.database_path)
        sync_dir(settings.data_dir)  # the database's name, before anything is acknowledged
        for suffix in ("-wal", "-shm"):
            tighten(settings.database_path.with_name(settings.database_path.name + suffix))
    tighten(settings.secret_path)
    tighten(settings.vapid_path)
    with os.scandir(settings.chat_uploads_dir) as entries:
        for entry in entries:
            if entry.is_file(follow_symlinks=False):
                tighten(Path(entry.path))


def create_private_once(path: Path, data: bytes) -> None:
    """A private file whole under its name or not at all, even to another host reading
    a shared files directory; a file already there (another writer was first) wins."""
    create_once(path, data, PRIVATE_FILE)


def tighten(path: Path) -> None:
    try:
        if os.stat(path).st_mode & 0o077:
            os.chmod(path, PRIVATE_FILE)
    except FileNotFoundError:
        pass


def require_database(settings: Settings) -> None:
    """Raise NoDatabase unless the data directory holds a database (and never create one)."""
    path = settings.database_path
    if settings.database != path:  # PostgreSQL: the server answers for itself at open
        return
    if not path.is_file() or path.stat().st_size == 0:
        raise NoDatabase(path)


# Servers hold a shared lock on DATA_DIR/teahouse.lock for as long as they run (several
# may share a directory); a maintenance command such as vacuum takes it exclusively.
def lock_path(settings: Settings) -> Path:
    return settings.data_dir / "teahouse.lock"


def hold_server_lock(settings: Settings) -> int:
    """Take the shared lock for this process's lifetime (the descriptor is never closed)."""
    fd = os.open(lock_path(settings), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, PRIVATE_FILE)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        logging.getLogger(__name__).warning(
            "waiting for the maintenance command that holds %s", lock_path(settings)
        )
        fcntl.flock(fd, fcntl.LOCK_SH)
    return fd


@contextlib.contextmanager
def exclusive(settings: Settings):
    """The data directory to ourselves, or ServerRunning."""
    fd = os.open(lock_path(settings), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, PRIVATE_FILE)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ServerRunning(settings) from None
        yield
    finally:
        os.close(fd)


def load_secret(settings: Settings) -> str:
    """CHAT_SECRET, else the secret file in the data dir, created 0600 on first start."""
    if settings.secret:
        return settings.secret
    path: Path = settings.secret_path
    if not path.exists():
        # Whole and durable before the first token is signed with it; never replaces a
        # secret another process of this data directory made meanwhile.
        create_once(path, secrets.token_urlsafe(48).encode(), PRIVATE_FILE)
    secret = path.read_text().strip()
    # A truncated file (a crash while it was written) must never become a weak key.
    if len(secret) < MIN_SECRET:
        raise SettingsError(f"{path} holds no usable secret: delete it to generate a new one")
    return secret
