"""Checks for the shapes of values every dialect passes in.

The one place where a value from outside becomes a number or a text: whatever a
client sends (a float, Infinity, "²", a lone surrogate), these answer BadInput
rather than letting a conversion fail deeper down as a 500.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime, timedelta

from chat.clock import iso_utc, now
from chat.errors import BadInput

INTEGER = re.compile(r"[+-]?[0-9]{1,30}")  # ASCII digits only: int() would take "²" or "٣"
# Characters that show nothing although Unicode does not class them as spaces.
BLANKS = frozenset("\u115f\u1160\u2800\u3164\uffa0")
INVISIBLE = ("Cc", "Cf", "Zs", "Zl", "Zp", "Mn", "Me")
# Bidirectional embeddings, overrides and isolates (U+202A-202E, U+2066-2069) reorder
# the text around them on screen: "\u202egpj.exe" shows as "exe.jpg". They are taken
# out of names and messages on write. The marks U+200E, U+200F and U+061C stay: they
# reorder nothing, and right-to-left writers need them.
BIDI_CONTROLS = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))


def has_surrogate(text: str) -> bool:
    """A lone surrogate (JSON allows "\\ud800") cannot be stored or sent as UTF-8."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def check_unicode(name: str, text: str) -> str:
    if has_surrogate(text):
        raise BadInput("field_encoding", field=name)
    return text


def without_bidi_controls(text: str) -> str:
    return text.translate(BIDI_CONTROLS)


def clean_display_name(text: str, fallback: str | None) -> str | None:
    """A person's (or a hook's message's) name as stored: trimmed to 64 characters,
    without bidi controls; fallback when nothing is left."""
    return without_bidi_controls(text).strip()[:64] or fallback


def is_blank(text: str) -> bool:
    """Only spaces, control, format (zero-width) or combining characters: nothing to read."""
    return all(char in BLANKS or unicodedata.category(char) in INVISIBLE for char in text)


def check_text(name: str, value, low: int, high: int, strip: bool = True) -> str:
    if value is None:
        raise BadInput("field_required", field=name)
    if not isinstance(value, str):
        raise BadInput("field_type", field=name, kind="a string")
    check_unicode(name, value)
    text = without_bidi_controls(value)
    text = text.strip() if strip else text
    if not low <= len(text) <= high:
        raise BadInput("field_length", field=name, low=low, high=high)
    return text


def check_int(name: str, value, low: int, high: int, default: int | None = None) -> int:
    """An integer from JSON or a query string, within bounds: 2.9, 1e400, Infinity,
    "²" and "10^25" are refused, not rounded or overflowed."""
    if value is None or value == "":
        if default is None:
            raise BadInput("field_required", field=name)
        return default
    if isinstance(value, bool):
        raise BadInput("field_type", field=name, kind="an integer")
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**63:
        value = int(value)
    if isinstance(value, str) and INTEGER.fullmatch(value.strip()):
        value = int(value.strip())
    if not isinstance(value, int):
        raise BadInput("field_type", field=name, kind="an integer")
    if not low <= value <= high:
        raise BadInput("field_range", field=name, low=low, high=high)
    return value


def check_optional_id(name: str, value) -> int | None:
    if value is None or value == "":
        return None
    return check_int(name, value, 1, 2**62)


def check_future_time(name: str, value, horizon_days: int = 366) -> str:
    """An ISO 8601 time with a zone, after now and within horizon_days, in the stored form."""
    if value is None or value == "":
        raise BadInput("field_required", field=name)
    if not isinstance(value, str) or len(value) > 40:
        raise BadInput("time_invalid", field=name)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise BadInput("time_invalid", field=name) from None
    if moment.tzinfo is None:  # a bare local time would mean a different moment per server
        raise BadInput("time_invalid", field=name)
    if not now() < moment <= now() + timedelta(days=horizon_days):
        raise BadInput("time_range", field=name)
    return iso_utc(moment)


# Accounts and bots share one name space, so they share the rule.
USERNAME = re.compile(r"[A-Za-z0-9_.\-]{1,32}")  # fullmatch: "$" would let a newline through


def check_username(username) -> str:
    if not isinstance(username, str) or not USERNAME.fullmatch(username):
        raise BadInput("username_invalid")
    return username
