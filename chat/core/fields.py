"""Checks for the shapes of values every dialect passes in."""
from __future__ import annotations

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
