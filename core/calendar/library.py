"""The chinesecalendar library's schedule: copied into the table once, compared later."""

from datetime import date

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from core.db import UTCDateTime, utcnow

# Lightweight tables as of migration 0003, so the seed keeps working when the models grow.
_days = sa.table(
    "calendar_days", sa.column("day", sa.Date), sa.column("is_workday", sa.Boolean), sa.column("source", sa.String)
)
_years = sa.table(
    "calendar_years", sa.column("year", sa.Integer), sa.column("source", sa.String), sa.column("loaded_at", UTCDateTime)
)


def library_days() -> dict[date, bool]:
    """Every exception day the installed library lists, mapped to whether it is a workday."""
    import chinese_calendar

    days = {day: False for day in chinese_calendar.holidays}
    days.update({day: True for day in chinese_calendar.workdays})
    return days


def library_years(days: dict[date, bool] | None = None) -> set[int]:
    """The years the installed library covers."""
    return {day.year for day in (library_days() if days is None else days)}


def seed_from_library(connection: Connection) -> set[int]:
    """Copy the library's days into the table for years not yet covered; returns those years."""
    days = library_days()
    covered = set(connection.scalars(sa.select(_years.c.year)))
    years = library_years(days) - covered
    if not years:
        return set()
    connection.execute(
        _days.insert(),
        [
            {"day": day, "is_workday": is_workday, "source": "library"}
            for day, is_workday in sorted(days.items())
            if day.year in years
        ],
    )
    now = utcnow()
    connection.execute(
        _years.insert(), [{"year": year, "source": "library", "loaded_at": now} for year in sorted(years)]
    )
    return years
