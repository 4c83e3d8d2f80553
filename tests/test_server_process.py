"""server.py as a real process: start-up, data dir, signals, subcommands, access log."""

from __future__ import annotations

import asyncio
import signal
import socket
import sys
import time
import urllib.request
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest

from tests.helpers import closed_with, next_frame
from tests.serverproc import ServerProcess, clean_env, create_database, free_port, register_at

pytestmark = pytest.mark.slow
ROOT = Path(__file__).parents[1]
START_TIMEOUT = 10.0  # generous for a loaded machine; a start takes ~1 s


@dataclass
class Served:
    proc: asyncio.subprocess.Process
    url: str
    log: Path
    data_dir: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    async def wait_for_log(self, text: str, times: int = 1, timeout: float = 2.0) -> str:
        deadline = time.monotonic() + timeout
        while self.output().count(text) < times:
            assert time.monotonic() < deadline, f"{text!r} never logged:\n{self.output()}"
            await asyncio.sleep(0.05)
        return self.output()


async def run_cli(*args: str, env: dict | None = None, timeout: float = 10.0):
    """Run server.py with args to completion: (exit code, stdout, stderr)."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "server.py",
        *args,
        cwd=ROOT,
        env=env or clean_env(),
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), timeout)
    return proc.returncode, out.decode(), err.decode()


async def wait_healthy(session: aiohttp.ClientSession, served: Served) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        assert served.proc.returncode is None, served.output()
        try:
            async with session.get(f"{served.url}/healthz") as resp:
                assert resp.status == 200
                assert await resp.json() == {"status": "ok"}
                return
        except aiohttp.ClientConnectionError:
            assert time.monotonic() < deadline, f"server did not start:\n{served.output()}"
            await asyncio.sleep(0.05)


@asynccontextmanager
async def server(tmp_path: Path, session: aiohttp.ClientSession, data_dir: Path | None = None):
    """A running `python server.py` on a free 127.0.0.1 port, killed if still alive."""
    port = free_port()
    data_dir = data_dir or tmp_path / "data"
    log = tmp_path / f"server-{port}.log"
    with log.open("wb") as sink:
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "server.py",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--data-dir",
            str(data_dir),
            cwd=ROOT,
            env=clean_env(),
            stdin=asyncio.subprocess.DEVNULL,
            stdout=sink,
            stderr=sink,
        )
    served = Served(proc, f"http://127.0.0.1:{port}", log, data_dir)
    try:
        await wait_healthy(session, served)
        yield served
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()


@pytest.fixture
async def session():
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as client:
        yield client


async def test_the_server_creates_its_data_dir_and_answers_healthz(tmp_path, session):
    async with server(tmp_path, session) as served:
        data = served.data_dir
        assert (data / "teahouse.db").is_file()
        assert (data / "uploads").is_dir()
        assert (data / "jwt_secret").stat().st_mode & 0o777 == 0o600
        assert len((data / "jwt_secret").read_text().strip()) >= 32
        assert (
            f"Teahouse on {served.url}/ with data in {data.resolve()} (Ctrl+C to stop)"
            in served.output()
        )


async def test_the_secret_survives_a_restart_so_tokens_stay_valid(tmp_path, session):
    async with server(tmp_path, session) as served:
        token = (await register_at(session, served.url, "alice"))["access_token"]
        served.proc.terminate()
        await asyncio.wait_for(served.proc.wait(), 5)
    async with server(tmp_path, session) as served:
        async with session.get(
            f"{served.url}/api/auth/me", headers={"Authorization": f"Bearer {token}"}
        ) as resp:
            assert (await resp.json())["username"] == "alice"


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
async def test_a_signal_closes_sockets_with_1001_and_exits_0(tmp_path, session, signum):
    async with server(tmp_path, session) as served:
        token = (await register_at(session, served.url, "alice"))["access_token"]
        ws = await session.ws_connect(f"{served.url}/ws/chat/global/?token={token}")
        await next_frame(ws, "connection_established")
        started = time.monotonic()
        served.proc.send_signal(signum)
        await closed_with(ws, 1001, timeout=4)
        assert await asyncio.wait_for(served.proc.wait(), 4) == 0, served.output()
        assert time.monotonic() - started < 4
        await ws.close()


async def test_help_lists_every_flag_subcommand_and_environment_variable():
    code, out, _ = await run_cli("--help")
    assert code == 0
    for word in (
        "--host",
        "--port",
        "--data-dir",
        "create-user",
        "token",
        "backup",
        "restore",
        "vacuum",
        "export",
        "import",
        "import-slack",
        "CHAT_HOST",
        "CHAT_PORT",
        "CHAT_DATA_DIR",
        "CHAT_SECRET",
        "CHAT_ALLOW_REGISTRATION",
        "CHAT_CORS_ORIGINS",
        "CHAT_LANGUAGE",
        "CHAT_TRUSTED_PROXIES",
        "CHAT_LOG_FORMAT",
        "CHAT_RETENTION_DAYS",
    ):
        assert word in out, word


@pytest.mark.parametrize(
    "args,env,words",
    [
        ((), {"CHAT_PORT": "eighty"}, ["CHAT_PORT", "eighty"]),
        (("--port", "99999"), {}, ["--port", "99999"]),
        ((), {"CHAT_LANGUAGE": "klingon"}, ["CHAT_LANGUAGE", "klingon"]),
    ],
)
async def test_a_bad_setting_stops_the_start_with_a_clear_message(tmp_path, args, env, words):
    code, _, err = await run_cli(*args, "--data-dir", str(tmp_path / "data"), env=clean_env(**env))
    assert code == 2
    assert err.startswith("configuration error:")
    for word in words:
        assert word in err
    assert not (tmp_path / "data").exists()


async def test_a_port_in_use_stops_the_start_with_a_clear_message(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        code, _, err = await run_cli("--port", port, "--data-dir", str(tmp_path / "data"))
    assert code == 1
    last = err.splitlines()[-1]  # after the start-up log lines (open file limit)
    assert last.startswith("cannot start:") and "address already in use" in last
    assert "Traceback" not in err


async def test_create_user_and_token_work_against_the_data_dir(tmp_path, session):
    data = str(tmp_path / "data")
    await asyncio.to_thread(create_database, tmp_path / "data")
    code, out, err = await run_cli(
        "--data-dir", data, "create-user", "root", "--admin", "--password", "root password"
    )
    assert code == 0, err
    assert "created user root" in out and "admin" in out
    code, out, err = await run_cli("--data-dir", data, "token", "root")
    assert code == 0, err
    token = out.strip()
    async with server(tmp_path, session) as served:
        async with session.get(
            f"{served.url}/api/auth/me", headers={"Authorization": f"Bearer {token}"}
        ) as resp:
            me = await resp.json()
        assert me["username"] == "root" and me["is_admin"] is True
        async with session.post(
            f"{served.url}/api/auth/login", json={"username": "root", "password": "root password"}
        ) as resp:
            assert resp.status == 200


async def test_create_user_and_token_refuse_a_taken_or_unknown_name(tmp_path):
    data = str(tmp_path / "data")
    await asyncio.to_thread(create_database, tmp_path / "data")
    code, _, err = await run_cli("--data-dir", data, "create-user", "root", "--password", "p" * 8)
    assert code == 0, err
    taken, bad, unknown = await asyncio.gather(
        run_cli("--data-dir", data, "create-user", "ROOT", "--password", "p" * 8),
        run_cli("--data-dir", data, "create-user", "bad name", "--password", "p" * 8),
        run_cli("--data-dir", data, "token", "nobody"),
    )
    assert taken[0] == 1 and "taken" in taken[2]
    assert bad[0] == 1 and "Username" in bad[2]
    assert unknown[0] == 1 and not unknown[1] and unknown[2].strip()


async def test_tokens_in_query_strings_and_v1_socket_paths_never_reach_the_log(tmp_path, session):
    async with server(tmp_path, session) as served:
        token = (await register_at(session, served.url, "alice"))["access_token"]
        plain_secret = "PlainSecretValue123"
        async with session.get(f"{served.url}/api/auth/me?token={plain_secret}") as resp:
            assert resp.status == 401
        ws = await session.ws_connect(f"{served.url}/ws/chat/global/?token={token}")
        await next_frame(ws, "connection_established")
        await ws.close()
        for secret in (token, plain_secret):
            async with session.get(f"{served.url}/api/v1/chatroom/ws/1/{secret}"):
                pass
        await served.wait_for_log("/ws/chat/global/")
        log = await served.wait_for_log("/api/v1/chatroom/ws/1/[redacted]", times=2)
        assert "/api/auth/me?token=" in log
        assert token not in log
        assert plain_secret not in log
        assert token.split(".")[1] not in log


@pytest.mark.parametrize(
    "args",
    [("token", "root"), ("create-user", "root", "--password", "p" * 8), ("backup", "copy.tar")],
    ids=lambda args: args[0],
)
async def test_a_subcommand_on_a_data_dir_without_database_says_so_and_creates_nothing(
    tmp_path, args
):
    data = tmp_path / "data"
    data.mkdir()  # as git clone leaves data/: present, empty
    code, out, err = await run_cli("--data-dir", str(data), *args)
    assert code == 1 and not out
    assert (
        err == f"no Teahouse database at {data.resolve() / 'teahouse.db'} "
        "(wrong --data-dir? a new server creates it on first start)\n"
    )
    assert list(data.iterdir()) == [] and not (ROOT / "copy.tar").exists()


async def test_without_its_dependencies_the_server_says_how_to_install_them(tmp_path):
    # -S: no site-packages, as on a fresh Debian python3 without the requirements.
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-S",
        "server.py",
        "--data-dir",
        str(tmp_path / "data"),
        cwd=ROOT,
        env=clean_env(),
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), 10)
    assert proc.returncode == 1 and not out
    lines = err.decode().splitlines()
    assert len(lines) == 1 and "run scripts/serve" in lines[0], lines
    assert not (tmp_path / "data").exists()


def test_chat_host_ipv6_any_serves_ipv4_too_and_reads_mapped_clients_as_ipv4(tmp_path):
    """CHAT_HOST=:: is one dual-stack socket: IPv4 clients (seen as ::ffff:127.0.0.1)
    reach it, and are still 127.0.0.1 for /metrics."""
    with ServerProcess(tmp_path / "data", CHAT_HOST="::", CHAT_METRICS="1") as server:
        for host in ("127.0.0.1", "[::1]"):
            url = f"http://{host}:{server.port}"
            with urllib.request.urlopen(f"{url}/healthz", timeout=5) as resp:
                assert resp.status == 200
            with urllib.request.urlopen(f"{url}/metrics", timeout=5) as resp:
                assert resp.status == 200, host
