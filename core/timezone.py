"""Local (Asia/Shanghai) days for instants stored in UTC, whatever the server's zone."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


def local(instant: datetime) -> datetime:
    """The instant seen on a clock in Shanghai."""
    return instant.astimezone(SHANGHAI)


def local_date(instant: datetime) -> date:
    """The Shanghai calendar day an instant falls on."""
    return local(instant).date()


def shanghai(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    """An aware datetime for a wall-clock time in Shanghai."""
    return datetime(year, month, day, hour, minute, second, tzinfo=SHANGHAI)


def end_of_day(day: date) -> datetime:
    """23:59:59 of a Shanghai day, the moment a 'within N days' period ends."""
    return datetime.combine(day, time(23, 59, 59), tzinfo=SHANGHAI)


# Filters name days; a day outside these, the day after it, or its midnight in UTC may not be
# representable (year 1, 9999-12-31). No stored instant lies outside them.
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(9998, 12, 31)


def clamp_day(day: date) -> date:
    """A filter's day brought within FIRST_DAY..LAST_DAY: the same rows, and arithmetic that works."""
    return min(max(day, FIRST_DAY), LAST_DAY)


def format_local(instant: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """Render an instant for a Chinese reader; empty for None."""
    return local(instant).strftime(fmt) if instant else ""
