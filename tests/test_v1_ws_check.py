"""tools/ws_check.py, the seed's test tool, against a real `python server.py`."""

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

from tests.serverproc import ServerProcess, run_cli

ROOT = Path(__file__).resolve().parent.parent
TOOL = [sys.executable, "tools/ws_check.py"]


def run(command: list[str], timeout: float = 30) -> subprocess.CompletedProcess:
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=timeout)


def test_help_documents_every_option():
    result = run([*TOOL, "--help"])
    assert result.returncode == 0
    for option in ("--room-id", "--token1", "--token2", "--duration", "--base-url"):
        assert option in result.stdout


@pytest.mark.slow
def test_ws_check_passes_against_a_real_server_and_fails_on_a_bad_token(tmp_path):
    data_dir = tmp_path / "data"
    with ServerProcess(data_dir) as server:  # subcommands work beside a running server
        for name in ("alice", "bob"):
            created = run_cli(data_dir, "create-user", name, "--password", "correct horse")
            assert created.returncode == 0, created.stderr
        tokens = [run_cli(data_dir, "token", name).stdout.strip() for name in ("alice", "bob")]
        base = ["--room-id", "1", "--base-url", f"ws://127.0.0.1:{server.port}"]
        good = run([*TOOL, *base, "--token1", tokens[0], "--token2", tokens[1], "--duration", "2"])
        assert good.returncode == 0, good.stdout + good.stderr
        assert "hello from user2 #1" in good.stdout and "OK:" in good.stdout
        bad = run([*TOOL, *base, "--token1", "nonsense", "--token2", tokens[1], "--duration", "1"])
        assert bad.returncode == 2 and "4001" in bad.stderr


def load_tool():
    spec = importlib.util.spec_from_file_location("ws_check", ROOT / "tools" / "ws_check.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["ws_check"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_anything_sent_but_not_received_is_a_failure():
    tool = load_tool()
    one, two = tool.Side("user1", "t1", user_id=1), tool.Side("user2", "t2", user_id=2)
    one.sent, one.typing_sent = {"a": "hi", "b": "there"}, 1
    one.messages = two.messages = {"a", "b"}
    two.typing_from = {1: 1}
    assert tool.missing([one, two]) == []
    two.messages = {"a"}
    two.typing_from = {}
    assert tool.missing([one, two]) == [
        "user2 did not receive 1 of 2 messages",
        "user2 never saw user1 typing",
    ]
