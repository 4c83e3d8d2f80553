"""Caps: sockets per user, connections per address, a few seconds for a request head,
a stalled upload let go; malformed requests answered without echo or versions; the
open-file limit raised and descriptor exhaustion logged once per interval."""

from __future__ import annotations

import asyncio
import resource
import socket
import subprocess
import sys
import time

import pytest

from chat.settings import Settings
from tests.helpers import NO_RATE_LIMITS, closed_with, connect, make_room, next_frame
from tests.serverproc import ROOT, ServerProcess, clean_env, free_port


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(
        data_dir=tmp_path / "data",
        max_sockets_per_user=3,
        upload_idle_timeout=0.5,
        **NO_RATE_LIMITS,
    )


async def test_a_user_past_the_socket_cap_gets_4008_and_the_open_ones_keep_working(client, alice):
    room = await make_room(client, alice)
    held = [await connect(client, alice, room) for _ in range(3)]
    refused = await client.ws_connect(f"/ws/chat/{room['id']}/?token={alice.token}")
    await closed_with(refused, 4008)
    refused_v1 = await client.ws_connect(f"/api/v1/chatroom/ws/{room['id']}/{alice.token}")
    await closed_with(refused_v1, 4008)
    await held[0].send_json({"type": "chat_message", "content": "still here"})
    assert (await next_frame(held[1], "chat_message"))["message"]["content"] == "still here"
    await held[0].close()
    await asyncio.sleep(0.1)
    again = await connect(client, alice, room)
    await again.close()
    for ws in held[1:]:
        await ws.close()


async def test_a_stalled_upload_is_let_go_with_its_part_file(client, alice, settings):
    reader, writer = await asyncio.open_connection("127.0.0.1", client.port)
    head = (
        b"POST /api/chat/upload HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
        + alice.token.encode()
        + b"\r\nContent-Type: multipart/form-data; boundary=B\r\n"
        b'Content-Length: 1000000\r\n\r\n--B\r\nContent-Disposition: form-data; name="file"; '
        b'filename="a.pdf"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4 ' + b"x" * 70_000
    )
    writer.write(head)
    await writer.drain()
    started = time.monotonic()
    answer = await asyncio.wait_for(reader.read(), 10)  # read() returns at EOF: closed
    assert answer.startswith(b"HTTP/1.1 408"), answer[:100]
    assert time.monotonic() - started < 5
    assert not list(settings.chat_uploads_dir.iterdir())
    writer.close()


@pytest.fixture(scope="module")
def capped(tmp_path_factory):
    data = tmp_path_factory.mktemp("capped") / "data"
    server = ServerProcess(data, CHAT_MAX_CONNECTIONS_PER_ADDRESS="6", CHAT_HANDSHAKE_TIMEOUT="1")
    with server:
        yield server


def raw(port: int, payload: bytes = b"", timeout: float = 10) -> tuple[bytes, float]:
    """Send payload on a new connection; what came back until the server closed, and when."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        started = time.monotonic()
        sock.sendall(payload)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
        return data, time.monotonic() - started


@pytest.mark.slow
def test_an_idle_or_dripping_connection_is_closed_after_the_handshake_timeout(capped):
    data, waited = raw(capped.port)
    assert data == b"" and 0.5 < waited < 3, waited
    with socket.create_connection(("127.0.0.1", capped.port), timeout=0.2) as sock:
        started = time.monotonic()
        sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
        with pytest.raises(ConnectionError):  # a header byte every 0.2 s buys no time
            while time.monotonic() - started < 10:
                sock.sendall(b"X")
                try:
                    if sock.recv(1) == b"":
                        raise ConnectionResetError("closed by the server")
                except TimeoutError:
                    pass
        assert time.monotonic() - started < 4


@pytest.mark.slow
def test_connections_past_the_per_address_cap_get_429(capped):
    held = [socket.create_connection(("127.0.0.1", capped.port)) for _ in range(6)]
    try:
        data, _ = raw(capped.port)
        assert data.startswith(b"HTTP/1.1 429") and b"Retry-After: 5" in data, data
    finally:
        for sock in held:
            sock.close()
    time.sleep(0.2)
    data, _ = raw(capped.port, b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert data.startswith(b"HTTP/1.1 200"), data[:100]


@pytest.mark.slow
@pytest.mark.parametrize(
    "request_bytes, status",
    [
        (b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", b"414"),
        (b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"b" * 9000 + b"\r\n\r\n", b"431"),
        (b"GARBAGE\r\n\r\n", b"400"),
        (b"GET /\xff\xfe HTTP/1.1\r\nHost: x\r\n\r\n", b"400"),
    ],
)
def test_malformed_requests_are_answered_without_echo_versions_or_tracebacks(
    capped, request_bytes, status
):
    data, _ = raw(capped.port, request_bytes)
    assert data.split(b" ")[1] == status, data[:200]
    assert b"aaaa" not in data and b"bbbb" not in data and b"GARBAGE" not in data
    assert b"Server: Teahouse\r\n" in data and b"aiohttp" not in data and b"Python" not in data
    assert "Traceback" not in capped.output()


def test_a_flood_of_malformed_requests_logs_a_few_lines_and_a_count(tmp_path):
    server = ServerProcess(
        tmp_path / "data", CHAT_MALFORMED_LOG_LINES="3", CHAT_MALFORMED_LOG_WINDOW="1"
    )
    with server:
        for _ in range(40):
            data, _ = raw(server.port, b"GARBAGE\r\n\r\n")
            assert data.split(b" ")[1] == b"400", data[:100]
        deadline = time.monotonic() + 10
        while "more malformed requests" not in server.output() and time.monotonic() < deadline:
            time.sleep(0.1)
        text = server.output()
    assert text.count("refused a malformed request from") == 3, text
    assert text.count("refused 37 more malformed requests in the last 1 s") == 1, text


@pytest.mark.slow
def test_descriptor_exhaustion_is_logged_once_per_interval(tmp_path):
    limit = 80  # soft = hard: the server cannot raise it, and runs out after ~60 sockets

    def low_limit():
        resource.setrlimit(resource.RLIMIT_NOFILE, (limit, limit))

    log_path = tmp_path / "server.log"
    port = free_port()
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "server.py",
                "--port",
                str(port),
                "--data-dir",
                str(tmp_path / "data"),
            ],
            cwd=ROOT,
            env=clean_env(CHAT_HANDSHAKE_TIMEOUT="30"),
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            preexec_fn=low_limit,
        )
    held = []
    try:
        deadline = time.monotonic() + 15
        while b"Teahouse on" not in log_path.read_bytes():
            assert process.poll() is None and time.monotonic() < deadline, log_path.read_text()
            time.sleep(0.05)
        for _ in range(150):
            held.append(socket.create_connection(("127.0.0.1", port), timeout=5))
        time.sleep(3)  # asyncio retries accept() every second meanwhile
        for sock in held:
            sock.close()
        held = []
        time.sleep(1.5)
        data, _ = raw(port, b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        assert data.startswith(b"HTTP/1.1 200"), data[:100]
    finally:
        for sock in held:
            sock.close()
        process.terminate()
        process.wait(timeout=10)
    text = log_path.read_text()
    assert f"open file limit: {limit} descriptors" in text, text
    exhausted = [line for line in text.splitlines() if "out of file descriptors" in line]
    assert len(exhausted) == 1, text
    assert "Traceback" not in text and len(text.splitlines()) < 40, text


def test_the_retry_of_an_accept_at_shutdown_counts_as_descriptor_exhaustion():
    """asyncio retries a failed accept() a second later; a server closed meanwhile makes
    that retry fail on descriptor -1 with a traceback (seen on CI after the test above).
    It is the same event: dropped within the interval, and other errors stay logged."""
    import logging
    import selectors

    from chat.web.tcp_guard import AcceptErrorThrottle

    def record(message: str, exc: BaseException) -> logging.LogRecord:
        return logging.LogRecord(
            "asyncio", logging.ERROR, __file__, 1, message, None, (type(exc), exc, None)
        )

    try:
        selectors.DefaultSelector().register(-1, selectors.EVENT_READ)
    except ValueError as exc:
        closed = exc
    throttle = AcceptErrorThrottle(interval=60)
    emfile = OSError(24, "Too many open files")
    assert throttle.filter(record("socket.accept() out of system resource", emfile))
    retry = "Exception in callback BaseSelectorEventLoop._start_serving(<server>)"
    assert not throttle.filter(record(retry, closed))
    assert throttle.filter(record("Exception in callback something_else()", closed))
