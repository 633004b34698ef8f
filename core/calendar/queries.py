"""Read helpers about the calendar table as a whole: coverage, and the library's disagreements."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from core.calendar.library import library_days, library_years
from core.calendar.models import CalendarDay, CalendarYear
from core.extensions import db


@dataclass(frozen=True)
class Difference:
    """A day the installed library counts differently from the table."""

    day: date
    library_workday: bool
    stored_workday: bool
    stored_source: str


def year_coverage() -> list[CalendarYear]:
    """Every covered year, oldest first."""
    return list(db.session.scalars(select(CalendarYear).order_by(CalendarYear.year)))


def library_differences() -> tuple[list[Difference], list[int]]:
    """Days the installed library counts unlike the table, and library years the table lacks."""
    library = library_days()
    years = library_years(library)
    coverage = {row.year: row.source for row in year_coverage()}
    stored = dict(
        db.session.execute(
            select(CalendarDay.day, CalendarDay.is_workday).where(
                CalendarDay.day.between(date(min(years), 1, 1), date(max(years), 12, 31))
            )
        ).all()
    )
    differences = []
    for day in sorted(library.keys() | stored.keys()):
        if day.year not in years or day.year not in coverage:
            continue
        # Compare what each side means, not its rows: a listed weekend holiday equals no row.
        weekday = day.weekday() < 5
        wanted, have = library.get(day, weekday), stored.get(day, weekday)
        if wanted != have:
            differences.append(Difference(day, wanted, have, coverage[day.year]))
    return differences, sorted(years - coverage.keys())
