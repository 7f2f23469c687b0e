"""Moment dates and the build's notion of "today"."""

from __future__ import annotations

import datetime as dt
import os
import re

from momentmap.errors import UsageError
from momentmap.model import When

_DATE = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})"
    r"(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?(Z|[+-]\d{2}:?\d{2})?)?"
)

DATE_FORM = "YYYY-MM-DD, optionally with ' HH:MM' (e.g. 2023-03-14 or 2023-03-14 09:30)"


def parse_when(text: str) -> When | None:
    """Parse a moment date; None when it does not have the documented form."""
    match = _DATE.fullmatch(text.strip())
    if not match:
        return None
    year, month, day, hour, minute, second, zone = match.groups()
    try:
        day_value = dt.date(int(year), int(month), int(day))
        if hour is not None:
            dt.time(int(hour), int(minute), int(second or 0))
    except ValueError:
        return None
    if zone and zone != "Z":
        hours, minutes = int(zone[1:3]), int(zone[-2:])
        if hours > 23 or minutes > 59:
            return None
    time = "" if hour is None else f"{hour}:{minute}" + (f":{second}" if second else "")
    return When(day_value, time, zone or "")


def parse_day(text: str) -> dt.date | None:
    """A plain YYYY-MM-DD date (promises, profiles); None otherwise."""
    when = parse_when(text)
    return when.day if when and not when.time else None


def resolve_as_of(as_of: str | None, environ: dict[str, str] | None = None) -> dt.date:
    """--as-of, else SOURCE_DATE_EPOCH, else today (UTC)."""
    env = os.environ if environ is None else environ
    if as_of is not None:
        day = parse_day(as_of)
        if day is None:
            raise UsageError(f"--as-of must be a date YYYY-MM-DD, not '{as_of}'")
        return day
    epoch = env.get("SOURCE_DATE_EPOCH")
    if epoch is not None:
        if not re.fullmatch(r"\d{1,12}", epoch.strip()):
            raise UsageError(
                f"SOURCE_DATE_EPOCH must be a whole number of seconds since 1970, not '{epoch}'"
            )
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).date()
    return dt.datetime.now(tz=dt.UTC).date()


_DURATION = re.compile(r"([1-9]\d{0,4})([hdw])")
_DURATION_UNITS = {"h": "hours", "d": "days", "w": "weeks"}
# What writers type instead: '24 hours', '3 days', '2 wks', '1week'.
_DURATION_WORDS = re.compile(r"(\d+)\s*(h|hrs?|hours?|d|days?|w|wks?|weeks?)\.?", re.IGNORECASE)
DURATION_FORM = "a duration such as 24h, 3d or 2w"


def parse_duration(text: str) -> dt.timedelta | None:
    """'24h', '3d', '2w' as a timedelta; None otherwise."""
    match = _DURATION.fullmatch(text.strip())
    if match is None:
        return None
    return dt.timedelta(**{_DURATION_UNITS[match[2]]: int(match[1])})


def duration_hint(text: str) -> str:
    """' (did you mean 24h?)' for '24 hours', else ''."""
    match = _DURATION_WORDS.fullmatch(text.strip())
    if match is None or int(match[1]) == 0:
        return ""
    return f" (did you mean {int(match[1])}{match[2][0].lower()}?)"
