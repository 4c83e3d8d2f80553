"""The JWT secret file: generated once, private, and never a weak key."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_an_empty_secret_file_stops_the_server_instead_of_signing_with_nothing(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "jwt_secret").write_text("")
    os.chmod(data / "jwt_secret", 0o600)
    env = {k: v for k, v in os.environ.items() if k != "CHAT_SECRET"}
    done = subprocess.run([sys.executable, "server.py", "--data-dir", str(data), "token", "x"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=30)
    assert done.returncode == 2
    assert "no usable secret" in done.stderr
