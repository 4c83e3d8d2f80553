"""Checks for the shapes of values every dialect passes in."""
from __future__ import annotations

from datetime import datetime, timedelta

from ..clock import iso_utc, now
from ..errors import BadInput


def check_text(name: str, value, low: int, high: int, strip: bool = True) -> str:
    if value is None:
        raise BadInput("field_required", field=name)
    if not isinstance(value, str):
        raise BadInput("field_type", field=name, kind="a string")
    text = value.strip() if strip else value
    if not low <= len(text) <= high:
        raise BadInput("field_length", field=name, low=low, high=high)
    return text


def check_int(name: str, value, low: int, high: int, default: int | None = None) -> int:
    """An integer from JSON or a query string, within bounds."""
    if value is None or value == "":
        if default is None:
            raise BadInput("field_required", field=name)
        return default
    if isinstance(value, bool):
        raise BadInput("field_type", field=name, kind="an integer")
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise BadInput("field_type", field=name, kind="an integer") from None
    if not low <= number <= high:
        raise BadInput("field_range", field=name, low=low, high=high)
    return number


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
