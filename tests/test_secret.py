"""The JWT secret file: generated once, private, and never a weak key."""
import os

import pytest

from tests.serverproc import run_cli


@pytest.mark.slow
def test_an_empty_secret_file_stops_the_server_instead_of_signing_with_nothing(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "jwt_secret").write_text("")
    os.chmod(data / "jwt_secret", 0o600)
    done = run_cli(data, "token", "x")
    assert done.returncode == 2
    assert "no usable secret" in done.stderr
