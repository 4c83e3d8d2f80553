"""RFC 8291 message encryption for Web Push, in RFC 8188 "aes128gcm" content coding:
one record, ECDH with the browser's p256dh key, its auth secret mixed in by HKDF."""

from __future__ import annotations

import os
import struct

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

RECORD_SIZE = 4096
MAX_PLAINTEXT = RECORD_SIZE - 16 - 1 - 86  # tag, delimiter, header: what every service takes


def hkdf(salt: bytes, ikm: bytes, info: bytes, length: int) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=salt, info=info).derive(ikm)


def public_key_from(p256dh: bytes) -> ec.EllipticCurvePublicKey:
    """Raises ValueError unless p256dh is an uncompressed point on P-256."""
    if len(p256dh) != 65 or p256dh[0] != 4:
        raise ValueError("p256dh must be a 65-byte uncompressed P-256 point")
    return ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), p256dh)


def content_keys(
    secret: bytes, auth: bytes, ua_public: bytes, as_public: bytes, salt: bytes
) -> tuple[bytes, bytes]:
    """The AES key and nonce both sides derive (RFC 8291 section 3.4)."""
    ikm = hkdf(auth, secret, b"WebPush: info\x00" + ua_public + as_public, 32)
    return (
        hkdf(salt, ikm, b"Content-Encoding: aes128gcm\x00", 16),
        hkdf(salt, ikm, b"Content-Encoding: nonce\x00", 12),
    )


def encrypt(plaintext: bytes, p256dh: bytes, auth: bytes) -> bytes:
    if len(plaintext) > MAX_PLAINTEXT:
        raise ValueError("push payload too large")
    ua_key = public_key_from(p256dh)
    ephemeral = ec.generate_private_key(ec.SECP256R1())
    as_public = ephemeral.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    salt = os.urandom(16)
    key, nonce = content_keys(ephemeral.exchange(ec.ECDH(), ua_key), auth, p256dh, as_public, salt)
    sealed = AESGCM(key).encrypt(nonce, plaintext + b"\x02", None)  # 0x02: the last record
    return salt + struct.pack("!IB", RECORD_SIZE, len(as_public)) + as_public + sealed
