"""The one clock and the one time format: ISO 8601 UTC with milliseconds and a Z."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone


def now() -> datetime:
    return datetime.now(timezone.utc)


def iso_utc(moment: datetime | None = None) -> str:
    moment = (moment or now()).astimezone(timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def start_of_day(moment: datetime | None = None) -> str:
    """The UTC midnight that begins the day of moment, in the stored format."""
    moment = (moment or now()).astimezone(timezone.utc)
    return iso_utc(moment.replace(hour=0, minute=0, second=0, microsecond=0))


def ago(seconds: float) -> datetime:
    return now() - timedelta(seconds=seconds)
