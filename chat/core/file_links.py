"""Signed file links: a file_url that a credential-less <img> (or a client that cannot
send a header) can fetch, handed to one user and working until an expiry.

The signature (keyed BLAKE2b over name, user and expiry) only proves "this server gave
this link to user U before `e`". Whether U may read the file is decided again at every
fetch (core/file_access.py), so a link outlives no membership and no account. Links
name no room: signing needs no lookup, and the hub can sign a frame rendered once per
dialect for each recipient with one HMAC (see docs/decisions.md).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import time
from collections.abc import Callable, Mapping

from chat.errors import Forbidden

PREFIX = "/uploads/chat/"
# A message's bare file_url as encoded JSON. The closing quote is part of it, so a URL
# that is already signed (a "?" follows the name) is left alone; avatar_url is public
# and never signed (one URL per picture, cached by everyone).
BARE_URL = re.compile(r'"file_url":"/uploads/chat/([0-9a-f]{32}\.[a-z]{3,4})"')
NUMBER = re.compile(r"[0-9]{1,15}")
SIGNATURE_BYTES = 18  # 144 bits, 24 URL-safe characters
STEPS = 8  # expiries move in ttl/8 steps: one URL for a while, so caches work
MIN_STEP = 60


class FileLinks:
    def __init__(self, secret: str, ttl: int):
        # A key of its own, so a link's signature can never pass for a token's.
        self.key = hmac.new(secret.encode(), b"teahouse file links v1", hashlib.sha256).digest()
        self.ttl = ttl
        self.step = max(MIN_STEP, ttl // STEPS)

    def expiry(self, now: float | None = None) -> int:
        """At least ttl from now, rounded up to the next step."""
        now = time.time() if now is None else now
        return (int(now) + self.ttl) // self.step * self.step + self.step

    def signature(self, name: str, user_id: int, expires: int) -> str:
        # Keyed BLAKE2b is a MAC by design, and ~8x cheaper here than HMAC-SHA256: the
        # hub signs a file message once per recipient.
        mac = hashlib.blake2b(
            f"{name}\n{user_id}\n{expires}".encode(), key=self.key, digest_size=SIGNATURE_BYTES
        ).digest()
        return base64.urlsafe_b64encode(mac).decode()

    def query(self, name: str, user_id: int, expires: int) -> str:
        return f"u={user_id}&e={expires}&s={self.signature(name, user_id, expires)}"

    def sign(self, name: str, user_id: int, now: float | None = None) -> str:
        """The signed URL of a stored file for this user."""
        return f"{PREFIX}{name}?{self.query(name, user_id, self.expiry(now))}"

    @staticmethod
    def links_in(text: str) -> bool:
        return PREFIX in text

    def sign_text(self, text: str, user_id: int) -> str:
        """Encoded JSON with every bare file_url signed for this user: the one place
        REST answers and socket frames get their links, whichever dialect or resource
        (messages, pins, saved, search) rendered them."""
        return self.signer(text)(user_id) if PREFIX in text else text

    def signer(self, text: str) -> Callable[[int], str]:
        """Sign one rendered text for many users: it is parsed once, and each user
        costs one MAC per link (the hub's fan-out of a file message)."""
        parts = BARE_URL.split(text)  # text, name, text, name, …, text
        expires = self.expiry()

        def signed(user_id: int) -> str:
            out = parts.copy()
            for i in range(1, len(parts), 2):
                out[i] = f'"file_url":"{PREFIX}{parts[i]}?{self.query(parts[i], user_id, expires)}"'
            return "".join(out)

        return signed

    def check(self, name: str, query: Mapping[str, str], now: float | None = None) -> int:
        """The user a signed query was given to; Forbidden when the signature is not
        ours (tampered, another file's, another user's) or has expired."""
        user, expires, signature = query.get("u", ""), query.get("e", ""), query.get("s", "")
        if not (NUMBER.fullmatch(user) and NUMBER.fullmatch(expires)):
            raise Forbidden("file_link_invalid")
        if not hmac.compare_digest(
            signature.encode(), self.signature(name, int(user), int(expires)).encode()
        ):
            raise Forbidden("file_link_invalid")
        if int(expires) <= (time.time() if now is None else now):
            raise Forbidden("file_link_expired")
        return int(user)


def is_signed(query: Mapping[str, str]) -> bool:
    return "s" in query
