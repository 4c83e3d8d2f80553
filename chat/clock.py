"""The one clock and the one time format: ISO 8601 UTC with milliseconds and a Z."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


def now() -> datetime:
    return datetime.now(UTC)


def iso_utc(moment: datetime | None = None) -> str:
    moment = now() if moment is None else moment.astimezone(UTC)
    return moment.isoformat(timespec="milliseconds")[:-6] + "Z"  # "+00:00" becomes "Z"


def start_of_day(moment: datetime | None = None) -> str:
    """The UTC midnight that begins the day of moment, in the stored format."""
    moment = (moment or now()).astimezone(UTC)
    return iso_utc(moment.replace(hour=0, minute=0, second=0, microsecond=0))


def ago(seconds: float) -> datetime:
    return now() - timedelta(seconds=seconds)
