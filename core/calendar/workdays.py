"""Counting working days in Asia/Shanghai from the calendar table, read afresh in every transaction.

Nothing outlives a transaction: after an administrator loads a year, every worker must count with
it at once. Within one transaction the days read are remembered (a filing's two clocks, a sweep
over thousands of cases), and forgotten when it ends or when the calendar itself is written.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache

from sqlalchemy import Boolean, Date, Integer, bindparam, cast, event, null, select
from sqlalchemy.orm import Session

from core.calendar.models import CalendarDay, CalendarYear
from core.extensions import db
from core.timezone import end_of_day, local_date

ONE_DAY = timedelta(days=1)
# Rest-day runs are at most 9 days (Spring Festival), so N working days fit in 2N + 21 calendar
# days; a longer span (an odd loaded year) just reads the next window.
WINDOW_SLACK = 21
# Every count up to 20 working days reads the same window, so one read serves all of them.
MIN_WINDOW_DAYS = 2 * 20 + WINDOW_SLACK
MEMO = "calendar_workdays"


@dataclass(frozen=True)
class Schedule:
    """The calendar of the days first..last as stored at the moment it was read."""

    first: date
    last: date
    exceptions: dict[date, bool]
    covered: frozenset[int]

    def is_workday(self, day: date) -> bool:
        """A listed exception in a covered year, else Monday to Friday."""
        if day.year in self.covered and day in self.exceptions:
            return self.exceptions[day]
        return day.weekday() < 5

    def days(self) -> Iterator[date]:
        day = self.first
        while day <= self.last:
            yield day
            day += ONE_DAY


@dataclass(frozen=True)
class Deadline:
    """A deadline, and the years in its span counted Mon–Fri because no schedule is loaded."""

    at: datetime
    provisional_years: frozenset[int]

    @property
    def is_provisional(self) -> bool:
        return bool(self.provisional_years)


def load_schedule(first: date, last: date) -> Schedule:
    """The exception days and covered years of first..last."""
    memo = _memo()
    if (first, last) not in memo:
        if "covered" in memo:
            rows = db.session.execute(_days_query(), {"first": first, "last": last})
        else:  # the transaction's first read: the covered years come in the same round trip
            rows = db.session.execute(_days_and_years_query(), {"first": first, "last": last}).all()
            memo["covered"] = frozenset(year for day, _, year in rows if day is None)
            rows = [row for row in rows if row[0] is not None]
        covered = frozenset(year for year in memo["covered"] if first.year <= year <= last.year)
        memo[first, last] = Schedule(first, last, {day: is_workday for day, is_workday, *_ in rows}, covered)
    return memo[first, last]


def covered_years() -> frozenset[int]:
    """The years whose official schedule is loaded (a table of a few dozen rows)."""
    memo = _memo()
    if "covered" not in memo:
        memo["covered"] = frozenset(db.session.scalars(select(CalendarYear.year)))
    return memo["covered"]


@cache
def _days_query():
    # Built once: building these selects costs more than running them.
    return select(CalendarDay.day, CalendarDay.is_workday).where(
        CalendarDay.day.between(bindparam("first"), bindparam("last"))
    )


@cache
def _days_and_years_query():
    years = select(cast(null(), Date), cast(null(), Boolean), CalendarYear.year)
    return (
        select(CalendarDay.day, CalendarDay.is_workday, cast(null(), Integer))
        .where(CalendarDay.day.between(bindparam("first"), bindparam("last")))
        .union_all(years)
    )


def forget_calendar(session: Session | None = None) -> None:
    """Drop what this transaction has read of the calendar (after writing to it)."""
    (session or db.session()).info.pop(MEMO, None)


def _memo() -> dict:
    return db.session().info.setdefault(MEMO, {})


@event.listens_for(Session, "after_transaction_end")
def _forget_at_transaction_end(session: Session, _transaction) -> None:
    forget_calendar(session)


def is_workday(day: date) -> bool:
    """Whether a Shanghai day (or the Shanghai day of an instant) is a working day."""
    day = _as_day(day)
    return load_schedule(day, day).is_workday(day)


def nth_working_day(day: date, n: int) -> date:
    """The n-th working day after `day`; `day` itself never counts."""
    if n < 1:
        raise ValueError("n must be at least 1")
    while True:
        schedule = load_schedule(day + ONE_DAY, day + timedelta(days=max(2 * n + WINDOW_SLACK, MIN_WINDOW_DAYS)))
        for current in schedule.days():
            if schedule.is_workday(current):
                n -= 1
                if n == 0:
                    return current
        day = schedule.last


def next_working_day(day: date) -> date:
    """The first working day after `day`."""
    return nth_working_day(day, 1)


def add_working_days(start: datetime, n: int) -> datetime:
    """23:59:59 Shanghai of the n-th working day after the Shanghai day of `start`."""
    return end_of_day(nth_working_day(local_date(_aware(start)), n))


def add_calendar_days_legal(start: datetime, days: int) -> datetime:
    """End of the days-th calendar day after start's day, moved on to a working day (民法典 第203条)."""
    if days < 1:
        raise ValueError("days must be at least 1")
    last = local_date(_aware(start)) + timedelta(days=days)
    # The first working day on or after `last` is the first one after the day before it.
    return end_of_day(nth_working_day(last - ONE_DAY, 1))


def provisional_years(start: date, end: date) -> set[int]:
    """The years of start..end (Shanghai days) that no loaded schedule covers."""
    start, end = _as_day(start), _as_day(end)
    return set(range(start.year, end.year + 1)) - covered_years()


def working_deadline(start: datetime, n: int) -> Deadline:
    """add_working_days, telling whether the counted days crossed a year not loaded."""
    at = add_working_days(start, n)
    first = local_date(start) + ONE_DAY
    return Deadline(at, frozenset(provisional_years(first, local_date(at))))


def legal_deadline(start: datetime, days: int) -> Deadline:
    """add_calendar_days_legal, telling whether the span crossed a year not loaded."""
    at = add_calendar_days_legal(start, days)
    first = local_date(start) + ONE_DAY
    return Deadline(at, frozenset(provisional_years(first, local_date(at))))


def _aware(instant: datetime) -> datetime:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError("naive datetime given; deadlines need an aware instant")
    return instant


def _as_day(value: date) -> date:
    # A datetime is a date too; its day is the one on a Shanghai clock, not its own field.
    return local_date(_aware(value)) if isinstance(value, datetime) else value
