"""The server's VAPID key pair (RFC 8292): CHAT_VAPID_PRIVATE_KEY when several processes
or hosts must sign alike, else generated once into the data dir (like jwt_secret).

The key is kept as the base64url P-256 private scalar, the form web-push tools print,
so a key made elsewhere can be pasted into the setting.
"""

from __future__ import annotations

import base64
import time
from pathlib import Path
from urllib.parse import urlsplit

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from chat.durable import create_once
from chat.settings import SettingsError

JWT_LIFETIME = 12 * 3600  # RFC 8292 caps it at 24 hours
MAX_AUDIENCES = 256  # push services signed for; a handful in practice


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def private_key_from(text: str) -> ec.EllipticCurvePrivateKey:
    try:
        raw = unb64url(text.strip())
        if len(raw) != 32:
            raise ValueError("not 32 bytes")
        return ec.derive_private_key(int.from_bytes(raw, "big"), ec.SECP256R1())
    except ValueError as exc:
        raise SettingsError(f"the VAPID private key is not a base64url P-256 key ({exc})") from None


class Vapid:
    def __init__(self, private_key: ec.EllipticCurvePrivateKey, subject: str):
        self.private_key = private_key
        self.subject = subject
        point = private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        self.public_key = b64url(point)  # the browser's applicationServerKey
        self.tokens: dict[str, tuple[str, int]] = {}  # audience -> (JWT, its exp)

    def authorization(self, endpoint: str) -> str:
        """The Authorization header for a request to a push service. A token is signed
        once per push service and reused for most of its lifetime: an ES256 signature
        per push would be most of a push's CPU."""
        parts = urlsplit(endpoint)
        audience = f"{parts.scheme}://{parts.netloc}"
        now = int(time.time())
        token, expires = self.tokens.get(audience, ("", 0))
        if expires - now < JWT_LIFETIME // 2:
            if len(self.tokens) >= MAX_AUDIENCES:
                self.tokens.clear()
            expires = now + JWT_LIFETIME
            token = jwt.encode(
                {"aud": audience, "exp": expires, "sub": self.subject},
                self.private_key,
                algorithm="ES256",
            )
            self.tokens[audience] = (token, expires)
        return f"vapid t={token}, k={self.public_key}"


def load_vapid(configured: str | None, path: Path, subject: str, mode: int) -> Vapid:
    if configured:
        return Vapid(private_key_from(configured), subject)
    if not path.exists():
        scalar = ec.generate_private_key(ec.SECP256R1()).private_numbers().private_value
        # Whole or not at all, and the first of two processes starting together wins:
        # a half-written key would sign with a key no browser knows.
        create_once(path, (b64url(scalar.to_bytes(32, "big")) + "\n").encode(), mode)
    return Vapid(private_key_from(path.read_text()), subject)
