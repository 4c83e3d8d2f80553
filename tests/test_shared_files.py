"""Nothing a request needs lives on one host's disk: with CHAT_FILES_DIR every file a
request reads (uploads, avatars, preview pictures) is written there whole before its
name exists, and a site shared by several hosts refuses to start without the values
every host must agree on (rather than making one up in its own data directory)."""

from __future__ import annotations

import subprocess
import sys
import tarfile

import pytest

from chat.app import create_app
from chat.ops import backup
from chat.settings import Settings, SettingsError, load_settings
from tests.helpers import NO_RATE_LIMITS, post_message, register
from tests.serverproc import ROOT, clean_env
from tests.test_avatars import picture, upload
from tests.test_previews import next_update, start  # noqa: F401 (start is a fixture)
from tests.websites import guard, site  # noqa: F401 (fixtures)

SHARED_VALUES = {
    "CHAT_SECRET": "one secret for every host of this site",
    "CHAT_VAPID_PRIVATE_KEY": "A" * 42 + "E",
    "CHAT_FILES_DIR": "/mnt/teahouse-files",
}


@pytest.mark.parametrize(
    "switch",
    [
        {"CHAT_HOSTS_SHARED": "1"},
        {"CHAT_DATABASE_URL": "postgresql://teahouse@db.internal/teahouse"},
    ],
)
def test_a_shared_site_names_every_value_it_lacks_instead_of_making_one_up(switch):
    with pytest.raises(SettingsError) as refused:
        load_settings({}, {**switch})
    for var in SHARED_VALUES:
        assert var in str(refused.value)
    with pytest.raises(SettingsError) as refused:
        load_settings({}, {**switch, **SHARED_VALUES, "CHAT_VAPID_PRIVATE_KEY": ""})
    assert "CHAT_VAPID_PRIVATE_KEY" in str(refused.value)
    assert "CHAT_SECRET" not in str(refused.value)
    settings = load_settings({}, {**switch, **SHARED_VALUES})
    assert settings.hosts_shared and settings.secret == SHARED_VALUES["CHAT_SECRET"]


def test_one_host_keeps_its_data_directory_and_generated_secrets():
    settings = load_settings({"data_dir": "/srv/teahouse"}, {})
    assert not settings.hosts_shared and settings.secret is None
    assert str(settings.chat_uploads_dir) == "/srv/teahouse/uploads/chat"
    assert str(settings.previews_dir) == "/srv/teahouse/previews"
    moved = load_settings({"data_dir": "/srv/teahouse"}, {"CHAT_FILES_DIR": "/mnt/files"})
    assert not moved.hosts_shared
    assert (str(moved.chat_uploads_dir), str(moved.previews_dir)) == (
        "/mnt/files/chat",
        "/mnt/files/previews",
    )


def test_a_shared_host_without_its_secret_stops_at_start_naming_it(tmp_path):
    done = subprocess.run(
        [sys.executable, "server.py", "--data-dir", str(tmp_path / "data")],
        cwd=ROOT,
        env=clean_env(CHAT_HOSTS_SHARED="1", CHAT_FILES_DIR=str(tmp_path / "files")),
        capture_output=True,
        text=True,
        timeout=30,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 2
    assert "CHAT_SECRET" in done.stderr and "CHAT_VAPID_PRIVATE_KEY" in done.stderr
    assert not (tmp_path / "data" / "jwt_secret").exists()


@pytest.fixture
async def files_client(aiohttp_client, tmp_path):
    settings = Settings(data_dir=tmp_path / "data", files_dir=tmp_path / "files", **NO_RATE_LIMITS)
    return await aiohttp_client(create_app(settings))


async def test_uploads_and_avatars_live_in_the_files_directory_whole(files_client, tmp_path):
    alice = await register(files_client, "alice")
    resp = await upload(files_client, alice, "me.png", picture("PNG"), "image/png")
    assert resp.status == 200, await resp.text()
    name = (await resp.json())["avatar_url"].rsplit("/", 1)[1]
    stored = tmp_path / "files" / "chat" / name
    assert stored.read_bytes().startswith(b"\x89PNG")
    # Only whole files under their final names: no partial is left beside them.
    assert [p.name for p in stored.parent.iterdir()] == [name]
    assert not (tmp_path / "data" / "uploads").exists()
    served = await files_client.get(f"/uploads/chat/{name}", headers=alice.headers)
    assert served.status == 200 and await served.read() == stored.read_bytes()


async def test_a_backup_carries_the_files_of_a_files_directory_elsewhere(files_client, tmp_path):
    alice = await register(files_client, "alice")
    resp = await upload(files_client, alice, "me.png", picture("PNG"), "image/png")
    name = (await resp.json())["avatar_url"].rsplit("/", 1)[1]
    await files_client.close()  # the database is closed and whole
    archive = tmp_path / "site.tar"
    summary = backup.backup(
        Settings(data_dir=tmp_path / "data", files_dir=tmp_path / "files"), archive
    )
    assert summary.missing == ()
    with tarfile.open(archive) as opened:
        assert f"uploads/chat/{name}" in opened.getnames()


async def test_preview_pictures_are_kept_in_the_files_directory(start, site, guard, tmp_path):  # noqa: F811
    client, owner, room, ws = await start(files_dir=tmp_path / "files")
    await post_message(client, owner, room, f"look: {site.at('/og')}")
    [card] = (await next_update(ws))["previews"]
    name = card["image_url"].rsplit("/", 1)[1]
    kept = tmp_path / "files" / "previews" / name
    assert kept.read_bytes().startswith(b"\xff\xd8")  # a JPEG, whole under its name
    assert [p.name for p in kept.parent.iterdir()] == [name]
    assert not (tmp_path / "data" / "previews").exists()
    resp = await client.get(card["image_url"])
    assert resp.status == 200 and await resp.read() == kept.read_bytes()
    await ws.close()
