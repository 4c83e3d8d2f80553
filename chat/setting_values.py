"""The words of a CHAT_* value: SettingsError and the parsers the settings modules use
(chat/settings.py, chat/signin_settings.py, chat/push_settings.py, ...).

Below all of them, so that settings.py can import the feature settings modules at the
top instead of late, inside load_settings.
"""

from __future__ import annotations

import ipaddress
import math
from urllib.parse import urlsplit

FALSE_WORDS = {"0", "false", "no", "off"}
TRUE_WORDS = {"1", "true", "yes", "on"}


class SettingsError(ValueError):
    """A configuration value that cannot be used."""


def parse_bool(name: str, raw: str) -> bool:
    word = raw.strip().lower()
    if word in FALSE_WORDS:
        return False
    if word in TRUE_WORDS:
        return True
    raise SettingsError(f"{name} must be one of {sorted(TRUE_WORDS | FALSE_WORDS)}, got {raw!r}")


def parse_list(raw: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in raw.split(",") if item.strip())


def parse_number(name: str, raw: str, kind: type, low: float):
    try:
        value = kind(raw.strip())
    except ValueError:
        raise SettingsError(f"{name} must be a number, got {raw!r}") from None
    if not (math.isfinite(value) and value >= low):
        raise SettingsError(f"{name} must be at least {low}, got {raw!r}")
    return value


def parse_rate(name: str, raw: str) -> tuple[float, int]:
    """ "R" (per second, burst 3R) or "R:B"; "0" turns the limit off."""
    rate, _, burst = raw.strip().partition(":")
    try:
        per_second = float(rate)
        size = int(burst) if burst else max(1, math.ceil(3 * per_second))
    except ValueError:
        raise SettingsError(
            f"{name} must be RATE or RATE:BURST (per second), got {raw!r}"
        ) from None
    if not (math.isfinite(per_second) and per_second >= 0 and size >= 1):
        raise SettingsError(f"{name} must be a rate >= 0 and a burst >= 1, got {raw!r}")
    return per_second, size


def parse_port(name: str, raw: str | int) -> int:
    try:
        port = int(raw)
    except (TypeError, ValueError):
        raise SettingsError(f"{name} must be a whole number, got {raw!r}") from None
    if not 0 <= port <= 65535:
        raise SettingsError(f"{name} must be between 0 and 65535, got {port}")
    return port


def parse_choice(name: str, raw: str, choices: tuple[str, ...]) -> str:
    word = raw.strip().lower()
    if word not in choices:
        raise SettingsError(f"{name} must be one of {choices}, got {raw!r}")
    return word


def parse_days(name: str, raw: str) -> int:
    try:
        days = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number of days, got {raw!r}") from None
    if not 1 <= days <= 36500:
        raise SettingsError(f"{name} must be between 1 and 36500 days, got {days}")
    return days


def parse_proxies(name: str, raw: str) -> tuple[str, ...]:
    proxies = parse_list(raw)
    for proxy in proxies:
        try:
            ipaddress.ip_network(proxy, strict=False)
        except ValueError:
            raise SettingsError(f"{name}: {proxy!r} is not an address or network") from None
    return proxies


def parse_count(name: str, raw: str) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, got {raw!r}") from None
    if value < 0:
        raise SettingsError(f"{name} must not be negative, got {value}")
    return value


def parse_call_url(name: str, raw: str) -> str:
    """A meeting server's base (https://meet.jit.si/) or a template with one {room}
    (https://bbb.example.com/rooms/{room}/join): http(s), a host, no spaces or quotes."""
    parts = urlsplit(raw)
    if (
        parts.scheme not in ("http", "https")
        or not parts.hostname
        or any(char.isspace() or char in "\"'<>" for char in raw)
        or raw.count("{room}") > 1
    ):
        raise SettingsError(
            f"{name} must be an http(s) URL of a meeting server, with at most one {{room}}"
        )
    return raw
