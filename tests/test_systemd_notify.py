"""server.py speaks systemd's notify protocol: READY=1 once it serves, STOPPING=1 on
SIGTERM, over a real AF_UNIX datagram socket such as systemd binds."""

from __future__ import annotations

import os
import socket
import urllib.request

import pytest

from tests.serverproc import ServerProcess

pytestmark = pytest.mark.slow


def datagrams(sock: socket.socket) -> list[str]:
    """Every state line received until the socket has been quiet for its timeout."""
    lines = []
    while True:
        try:
            lines += sock.recv(4096).decode().split("\n")
        except TimeoutError:
            return lines


@pytest.mark.parametrize("abstract", [False, True], ids=["path", "abstract"])
def test_the_server_tells_systemd_it_is_ready_and_then_stopping(tmp_path, abstract):
    name = f"@teahouse-test-{os.getpid()}-{tmp_path.name}" if abstract else str(tmp_path / "notify")
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as manager:
        manager.bind("\0" + name[1:] if abstract else name)
        manager.settimeout(1.0)
        server = ServerProcess(tmp_path / "data", NOTIFY_SOCKET=name).start()
        try:
            with urllib.request.urlopen(server.base + "/healthz", timeout=5) as resp:
                assert resp.status == 200
            ready = datagrams(manager)
            assert ready[0] == "READY=1", ready
            assert f"STATUS=serving on 127.0.0.1:{server.port}" in ready
            server.process.terminate()
            assert server.process.wait(timeout=10) == 0, server.output()
            assert datagrams(manager) == ["STOPPING=1"]
        finally:
            server.kill()


def test_without_notify_socket_the_server_runs_as_before(tmp_path):
    with ServerProcess(tmp_path / "data") as server:
        with urllib.request.urlopen(server.base + "/healthz", timeout=5) as resp:
            assert resp.status == 200
    assert server.process.returncode == 0 and "service manager" not in server.output()
