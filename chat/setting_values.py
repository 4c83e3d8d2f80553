"""The words of a CHAT_* value: SettingsError and the parsers every settings module
shares (chat/settings.py, chat/signin_settings.py, chat/push_settings.py).

Below all of them, so that settings.py can import the feature settings modules at the
top instead of late, inside load_settings.
"""

from __future__ import annotations

import math

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
