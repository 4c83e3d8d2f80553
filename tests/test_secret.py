"""The JWT secret file: generated once, private, and never a weak key."""

import os

import pytest

from tests.serverproc import ServerProcess, create_database, run_cli


@pytest.mark.slow
def test_an_empty_secret_file_stops_the_server_instead_of_signing_with_nothing(tmp_path):
    data = tmp_path / "data"
    create_database(data)
    (data / "jwt_secret").write_text("")
    os.chmod(data / "jwt_secret", 0o600)
    done = run_cli(data, "token", "x")
    assert done.returncode == 2
    assert "no usable secret" in done.stderr


@pytest.mark.slow
def test_a_new_data_directory_is_private_to_its_owner(tmp_path):
    data = tmp_path / "data"
    ServerProcess(data).start().stop()
    assert oct(data.stat().st_mode & 0o777) == "0o700"
    assert oct((data / "jwt_secret").stat().st_mode & 0o777) == "0o600"
