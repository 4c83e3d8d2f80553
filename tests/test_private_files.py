"""Files with secrets are private even when the data directory already exists, open."""

from __future__ import annotations

import os
import stat

import pytest

from chat.app import create_app
from chat.settings import Settings
from tests.helpers import register
from tests.test_uploads import bare, png, upload


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def open_data_dir(tmp_path):
    """A data dir as git clone or a service manager leaves it: 0755, with files an older
    version left world-readable."""
    data = tmp_path / "data"
    (data / "uploads" / "chat").mkdir(parents=True)
    for folder in (data, data / "uploads", data / "uploads" / "chat"):
        folder.chmod(0o755)
    old = data / "uploads" / "chat" / ("0" * 32 + ".png")
    old.write_bytes(png())
    secret = data / "jwt_secret"
    secret.write_text("an older secret that is long enough")
    for path in (old, secret):
        path.chmod(0o644)
    return data


async def test_database_wal_secret_and_uploads_are_private_in_an_open_data_dir(
    aiohttp_client, open_data_dir
):
    old = os.umask(0o022)  # the usual umask, whatever pytest runs under
    try:
        client = await aiohttp_client(create_app(Settings(data_dir=open_data_dir)))
        alice = await register(client, "alice")
        resp = await upload(client, alice, "cat.png", png(), "image/png")
        assert resp.status == 200, await resp.text()
        new_file = open_data_dir / bare((await resp.json())["file_url"]).removeprefix("/")
    finally:
        os.umask(old)
    database = open_data_dir / "teahouse.db"
    for path in (
        database,
        database.with_name("teahouse.db-wal"),
        database.with_name("teahouse.db-shm"),
        open_data_dir / "jwt_secret",
        new_file,
        open_data_dir / "uploads" / "chat" / ("0" * 32 + ".png"),
    ):
        assert mode(path) == 0o600, path
    for folder in (open_data_dir / "uploads", open_data_dir / "uploads" / "chat"):
        assert mode(folder) == 0o700, folder
