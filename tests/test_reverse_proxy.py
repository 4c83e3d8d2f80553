"""deploy/nginx.conf in front of a real server: a real nginx with a self-signed
certificate drives REST, both socket dialects and an upload over https/wss, and the
server sees the client's address, not the proxy's and not one the client forged."""

from __future__ import annotations

import asyncio
import contextlib
import getpass
import io
import os
import shutil
import subprocess
import time
from pathlib import Path

import aiohttp
import pytest

from tests.helpers import next_frame
from tests.serverproc import ROOT, ServerProcess, free_port, register_at

pytestmark = pytest.mark.slow
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
CLIENT_ADDRESS = "127.0.0.2"  # loopback too, but not the proxy's own 127.0.0.1


def require_nginx() -> None:
    if not Path(NGINX).exists():
        if os.environ.get("CI"):
            pytest.fail("nginx is missing: scripts/test installs nginx-light")
        pytest.skip("nginx is not installed (apt-get install nginx-light)")


def site_config(
    teahouse_ports: int | list[int], https_port: int, http_port: int, cert: Path, key: Path
) -> str:
    """deploy/nginx.conf with this test's ports and certificate; each edit must apply.
    Several ports: one upstream `server` line each, with the documented parameters."""
    text = (ROOT / "deploy" / "nginx.conf").read_text()
    ports = [teahouse_ports] if isinstance(teahouse_ports, int) else teahouse_ports
    upstream = next(line for line in text.splitlines() if "server 127.0.0.1:8000" in line)
    for old, new in [
        (upstream, "\n".join(upstream.replace(":8000", f":{port}") for port in ports)),
        ("listen 443 ssl;", f"listen 127.0.0.1:{https_port} ssl;"),
        ("listen [::]:443 ssl;", ""),
        ("listen 80;", f"listen 127.0.0.1:{http_port};"),
        ("listen [::]:80;", ""),
        ("/etc/ssl/certs/teahouse.crt", str(cert)),
        ("/etc/ssl/private/teahouse.key", str(key)),
    ]:
        assert text.count(old) == 1, f"deploy/nginx.conf no longer has {old!r}"
        text = text.replace(old, new)
    return text


def main_config(tmp: Path, site: Path) -> str:
    """A foreground nginx whose pid, logs and temp files all live in tmp."""
    user = f"user {getpass.getuser()};" if os.geteuid() == 0 else ""
    temps = "\n".join(
        f"    {kind}_temp_path {tmp / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return f"""daemon off;
{user}
worker_processes 1;
pid {tmp / "nginx.pid"};
error_log {tmp / "error.log"} info;
events {{ worker_connections 256; }}
http {{
    access_log {tmp / "access.log"};
{temps}
    include {site};
}}
"""


@pytest.fixture
def tls_files(tmp_path):
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
        timeout=30,
    )
    return cert, key


@pytest.fixture
def proxied(tmp_path, tls_files):
    """(https base URL, http base URL, server): nginx on free ports before Teahouse."""
    require_nginx()
    server = ServerProcess(tmp_path / "data", CHAT_TRUSTED_PROXIES="127.0.0.1").start()
    https_port, http_port = free_port(), free_port()
    text = site_config(server.port, https_port, http_port, *tls_files)
    try:
        with nginx_running(tmp_path / "nginx", text, https_port):
            yield f"https://127.0.0.1:{https_port}", f"http://127.0.0.1:{http_port}", server
    finally:
        server.stop()


@contextlib.contextmanager
def nginx_running(folder: Path, site_text: str, https_port: int):
    """A foreground nginx serving site_text from folder until the block ends."""
    folder.mkdir()
    site = folder / "teahouse.conf"
    site.write_text(site_text)
    conf = folder / "nginx.conf"
    conf.write_text(main_config(folder, site))
    with open(folder / "stderr.log", "wb") as errors:
        nginx = subprocess.Popen(
            [NGINX, "-c", str(conf), "-p", str(folder)],
            stdout=errors,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    try:
        wait_listening(nginx, https_port, folder)
        yield
    finally:
        nginx.terminate()  # the master, by its PID: it stops its worker
        nginx.wait(timeout=10)


def wait_listening(nginx: subprocess.Popen, port: int, folder: Path) -> None:
    import socket

    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if nginx.poll() is not None:
            raise RuntimeError(
                (folder / "stderr.log").read_text() + (folder / "error.log").read_text()
            )
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("nginx did not listen")


@pytest.fixture
async def session():
    connector = aiohttp.TCPConnector(ssl=False, local_addr=(CLIENT_ADDRESS, 0))
    async with aiohttp.ClientSession(
        connector=connector, timeout=aiohttp.ClientTimeout(total=20)
    ) as client:
        yield client
    # aiohttp's graceful shutdown advice for TLS: give the transports' closing handshakes
    # a moment, or they are collected unclosed after the loop ends.
    await asyncio.sleep(0.25)


async def register(session, base: str, username: str) -> dict:
    """Sign up, then log in (the login records the address) with a forged X-Forwarded-For."""
    credentials = {"username": username, "password": "correct horse"}
    await register_at(session, base, username)
    async with session.post(
        f"{base}/api/auth/login", json=credentials, headers={"X-Forwarded-For": "6.6.6.6"}
    ) as resp:
        assert resp.status == 200, await resp.text()
        return await resp.json()


async def test_rest_sockets_and_uploads_work_through_nginx_over_tls(proxied, session):
    https, http, server = proxied
    admin = await register(session, https, "admin")
    alice = await register(session, https, "alice")
    bearer = {"Authorization": f"Bearer {alice['access_token']}"}

    async with session.get(f"{http}/healthz", allow_redirects=False) as resp:
        assert resp.status == 301 and resp.headers["Location"].startswith("https://")
    async with session.get(f"{https}/api/auth/me", headers=bearer) as resp:
        assert (await resp.json())["username"] == "alice"
    async with session.get(f"{https}/", headers=bearer) as resp:
        assert resp.status == 200 and "text/html" in resp.headers["Content-Type"]

    # The address the server records is the client's (via X-Forwarded-For), not nginx's
    # 127.0.0.1 and not the 6.6.6.6 the client wrote itself.
    async with session.get(
        f"{https}/api/chat/user-ip/{alice['user']['id']}",
        headers={"Authorization": f"Bearer {admin['access_token']}"},
    ) as resp:
        assert (await resp.json())["ip"] == CLIENT_ADDRESS

    wss = https.replace("https://", "wss://")
    origin = {"Origin": https}  # as a browser on the proxied page sends it
    v1 = await session.ws_connect(
        f"{wss}/api/v1/chatroom/ws/1/{alice['access_token']}", headers=origin
    )
    channels = await session.ws_connect(
        f"{wss}/ws/chat/1/?token={admin['access_token']}", headers=origin
    )
    await next_frame(channels, "connection_established")
    await v1.send_json({"type": "message", "content": "hello through nginx"})
    assert (await next_frame(channels, "chat_message"))["message"][
        "content"
    ] == "hello through nginx"
    await channels.send_json({"type": "chat_message", "content": "and back"})
    assert (await next_frame(v1, "message"))["content"] == "hello through nginx"  # its echo
    assert (await next_frame(v1, "message"))["content"] == "and back"
    assert (await next_frame(channels, "chat_message"))["message"]["content"] == "and back"

    with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
        await session.ws_connect(
            f"{wss}/ws/chat/1/?token={admin['access_token']}",
            headers={"Origin": "https://evil.example"},
        )
    assert refused.value.status == 403

    # 3 MB: more than nginx's default 1 MB body limit, within client_max_body_size.
    text = ("a log line through the proxy\n" * 110_000).encode()
    form = aiohttp.FormData()
    form.add_field("file", io.BytesIO(text), filename="big.txt", content_type="text/plain")
    async with session.post(f"{https}/api/chat/upload", data=form, headers=bearer) as resp:
        assert resp.status == 200, await resp.text()
        url = (await resp.json())["file_url"]
    assert (await next_frame(channels, "chat_message"))["message"]["file_name"] == "big.txt"
    async with session.get(f"{https}{url}", headers=bearer) as resp:
        assert resp.status == 200 and await resp.read() == text
    for ws in (v1, channels):
        await ws.close()

    # The web page's login cookie works behind the proxy: Secure (nginx says https),
    # good for same-origin writes and sockets, refused for another site's page.
    async with session.post(
        f"{https}/api/auth/login",
        headers=origin,
        json={"username": "alice", "password": "correct horse"},
    ) as resp:
        assert resp.status == 200
        set_cookie = resp.headers["Set-Cookie"]
    assert "Secure" in set_cookie and "HttpOnly" in set_cookie
    cookie = {"Cookie": set_cookie.split(";")[0]}
    async with session.post(
        f"{https}/api/chat/rooms/1/messages/",
        json={"content": "by cookie"},
        headers={**cookie, **origin},
    ) as resp:
        assert resp.status == 201, await resp.text()
    async with session.post(
        f"{https}/api/chat/rooms/1/messages/",
        json={"content": "forged"},
        headers={**cookie, "Origin": "https://evil.example"},
    ) as resp:
        assert resp.status == 403
    page_socket = await session.ws_connect(f"{wss}/ws/chat/1/", headers={**cookie, **origin})
    await next_frame(page_socket, "connection_established")
    await page_socket.close()
