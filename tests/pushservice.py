"""A local Web Push service for the tests: aiohttp over TLS on 127.0.0.1 with a
self-signed certificate, taking RFC 8030 requests. It checks each request's VAPID JWT
(RFC 8292) against the key in its Authorization header and decrypts the RFC 8291
aes128gcm body with the subscription's own private key and auth secret, written here
independently of chat/push/, so the server's encryption is proven, not assumed.

It also plays a browser: subscription() makes the key pair and auth secret a
PushManager would, and the JSON a page posts.
"""

from __future__ import annotations

import asyncio
import base64
import datetime
import ipaddress
import json
import os
import ssl
import struct
import time
from dataclasses import dataclass, field
from pathlib import Path

import jwt
from aiohttp import web
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.x509.oid import NameOID


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def point(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )


def self_signed(directory: Path) -> tuple[Path, Path]:
    """A certificate for localhost and 127.0.0.1, and its key."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "push-cert.pem", directory / "push-key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


@dataclass
class Browser:
    """One subscription as a browser holds it."""

    token: str
    endpoint: str
    key: ec.EllipticCurvePrivateKey = field(
        default_factory=lambda: ec.generate_private_key(ec.SECP256R1())
    )
    auth: bytes = field(default_factory=lambda: os.urandom(16))

    def subscription(self, label: str = "") -> dict:
        return {
            "endpoint": self.endpoint,
            "expirationTime": None,
            "label": label,
            "keys": {"p256dh": b64(point(self.key)), "auth": b64(self.auth)},
        }

    def decrypt(self, body: bytes) -> bytes:
        salt, record_size, id_length = body[:16], *struct.unpack("!IB", body[16:21])
        sender = body[21 : 21 + id_length]
        sealed = body[21 + id_length :]
        assert record_size >= 18 and len(sealed) <= record_size
        peer = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), sender)
        shared = self.key.exchange(ec.ECDH(), peer)

        def derive(salt_: bytes, ikm: bytes, info: bytes, n: int) -> bytes:
            return HKDF(hashes.SHA256(), n, salt_, info).derive(ikm)

        ikm = derive(self.auth, shared, b"WebPush: info\x00" + point(self.key) + sender, 32)
        cek = derive(salt, ikm, b"Content-Encoding: aes128gcm\x00", 16)
        nonce = derive(salt, ikm, b"Content-Encoding: nonce\x00", 12)
        plain = AESGCM(cek).decrypt(nonce, sealed, None)
        data, delimiter = plain.rstrip(b"\x00")[:-1], plain.rstrip(b"\x00")[-1:]
        assert delimiter == b"\x02", "a single record ends with the 0x02 delimiter"
        return data


@dataclass
class Delivery:
    token: str
    payload: dict
    headers: dict
    claims: dict


class PushService:
    def __init__(self, directory: Path):
        self.cert, self.key = self_signed(directory)
        self.browsers: dict[str, Browser] = {}
        self.received: list[Delivery] = []
        self.answers: dict[str, list[int]] = {}  # token -> statuses to answer first
        self.hits: dict[str, int] = {}
        self.arrived = asyncio.Event()
        self.runner: web.AppRunner | None = None
        self.port = 0

    async def start(self) -> PushService:
        app = web.Application()
        app.router.add_post("/push/{token}", self.accept)
        app.router.add_post("/elsewhere", self.elsewhere)
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.cert, self.key)
        site = web.TCPSite(self.runner, "127.0.0.1", 0, ssl_context=context)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        await self.runner.cleanup()

    def browser(self, token: str, host: str = "127.0.0.1") -> Browser:
        found = self.browsers[token] = Browser(token, f"https://{host}:{self.port}/push/{token}")
        return found

    async def elsewhere(self, request: web.Request) -> web.Response:
        self.hits["elsewhere"] = self.hits.get("elsewhere", 0) + 1
        return web.Response(status=201)

    async def accept(self, request: web.Request) -> web.Response:
        token = request.match_info["token"]
        self.hits[token] = self.hits.get(token, 0) + 1
        if self.answers.get(token):
            status = self.answers[token].pop(0)
            headers = (
                {"Location": f"https://127.0.0.1:{self.port}/elsewhere"}
                if 300 <= status < 400
                else {}
            )
            return web.Response(status=status, headers=headers)
        browser = self.browsers.get(token)
        if browser is None:
            return web.Response(status=404)
        claims = self.check_vapid(request)
        if claims is None:
            return web.Response(status=401)
        if request.headers.get("Content-Encoding") != "aes128gcm" or "TTL" not in request.headers:
            return web.Response(status=400)
        payload = json.loads(browser.decrypt(await request.read()))
        self.received.append(Delivery(token, payload, dict(request.headers), claims))
        self.arrived.set()
        return web.Response(status=201)

    def check_vapid(self, request: web.Request) -> dict | None:
        scheme, _, params = request.headers.get("Authorization", "").partition(" ")
        if scheme != "vapid":
            return None
        fields = dict(part.strip().split("=", 1) for part in params.split(","))
        public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64(fields["k"]))
        origin = f"https://{request.host}"
        try:
            claims = jwt.decode(fields["t"], public, algorithms=["ES256"], audience=origin)
        except jwt.PyJWTError:
            return None
        if not (claims["exp"] <= time.time() + 24 * 3600 and claims.get("sub")):
            return None
        return claims

    async def next_delivery(self, timeout: float = 10.0) -> Delivery:
        async def wait() -> Delivery:
            while not self.received:
                self.arrived.clear()
                await self.arrived.wait()
            return self.received.pop(0)

        return await asyncio.wait_for(wait(), timeout)


class DialGuard:
    """Fails the test if anything but loopback is dialled: every outbound connection
    of the loop (aiohttp's included) goes through loop.sock_connect."""

    def __init__(self, loop: asyncio.AbstractEventLoop):
        self.loop = loop
        self.dialled: list[str] = []
        self.forbidden: list[str] = []
        self.original = loop.sock_connect

        async def sock_connect(sock, address):
            host = address[0]
            self.dialled.append(host)
            if not ipaddress.ip_address(host.split("%")[0]).is_loopback:
                self.forbidden.append(host)
                raise OSError(f"the test guard refused to dial {host}")
            return await self.original(sock, address)

        loop.sock_connect = sock_connect

    def close(self) -> None:
        del self.loop.sock_connect
        assert not self.forbidden, f"dialled outside loopback: {self.forbidden}"
