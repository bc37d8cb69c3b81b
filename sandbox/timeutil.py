"""Time helpers: the world keeps every instant as integer milliseconds since the Unix epoch (UTC).

Integer milliseconds keep durations exact (a difference of two instants is an exact integer), so
the oracle and a connector reading the same API agree to the last digit.
"""

from __future__ import annotations

import datetime as dt
import logging

logger = logging.getLogger(__name__)

MS = 1
SECOND_MS = 1000
MINUTE_MS = 60 * SECOND_MS
HOUR_MS = 60 * MINUTE_MS
DAY_MS = 24 * HOUR_MS
UTC = dt.UTC


def to_datetime(ms: int) -> dt.datetime:
    """Return the aware UTC datetime of an instant in epoch milliseconds."""
    return dt.datetime.fromtimestamp(ms / 1000, tz=UTC).replace(microsecond=(ms % 1000) * 1000)


def iso_ms(ms: int) -> str:
    """Format as ISO 8601 with milliseconds and a `Z` suffix (Genesys, HubSpot, Assembled)."""
    return to_datetime(ms).strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def iso_s(ms: int) -> str:
    """Format as ISO 8601 to the second with a `Z` suffix (Zendesk)."""
    return to_datetime(ms).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_date(ms: int) -> str:
    """Format the UTC calendar date (BambooHR dates)."""
    return to_datetime(ms).strftime("%Y-%m-%d")


def unix_s(ms: int) -> int:
    """Whole seconds since the epoch (Intercom, Delighted, Zendesk `start_time`)."""
    return ms // 1000


def parse_instant(text: str) -> int:
    """Parse an ISO 8601 instant, a date, or epoch seconds/milliseconds into epoch ms.

    Raises ValueError on anything else, so an API can answer 400.
    """
    value = text.strip()
    if value.lstrip("-").isdigit():
        number = int(value)
        # Ten digits or fewer are epoch seconds; HubSpot also accepts epoch milliseconds.
        return number * 1000 if abs(number) < 10**11 else number
    if len(value) == 10:
        day = dt.date.fromisoformat(value)
        return date_ms(day)
    parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return round(parsed.timestamp() * 1000)


def date_ms(day: dt.date) -> int:
    """Midnight UTC of a calendar date, in epoch ms."""
    return int(dt.datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp()) * 1000


def floor_period(ms: int, grain: str) -> int:
    """Start of the hour, day, ISO week (Monday) or month containing an instant."""
    if grain == "hour":
        return ms - ms % HOUR_MS
    day_start = ms - ms % DAY_MS
    if grain == "day":
        return day_start
    if grain == "week":
        weekday = to_datetime(day_start).weekday()
        return day_start - weekday * DAY_MS
    if grain == "month":
        moment = to_datetime(day_start)
        return date_ms(dt.date(moment.year, moment.month, 1))
    raise ValueError(f"unknown grain `{grain}`: use hour, day, week, month or all")


def next_period(start_ms: int, grain: str) -> int:
    """Start of the period after the one starting at `start_ms`."""
    if grain == "hour":
        return start_ms + HOUR_MS
    if grain == "day":
        return start_ms + DAY_MS
    if grain == "week":
        return start_ms + 7 * DAY_MS
    if grain == "month":
        moment = to_datetime(start_ms)
        year, month = (
            (moment.year + 1, 1) if moment.month == 12 else (moment.year, moment.month + 1)
        )
        return date_ms(dt.date(year, month, 1))
    raise ValueError(f"unknown grain `{grain}`")
