"""Stored deadlines after the calendar changes (docs/clocks.md: loading or editing the calendar
recomputes the deadlines of clocks not yet met). The owners of the deadlines (case clocks,
referrals) choose their rows in SQL with spans_touching, so that a load reads only the rows its
years can move; moved_deadlines counts each distinct start day and length once."""

from datetime import date, datetime, timedelta

from sqlalchemy import ColumnElement, and_, false, or_

from core.calendar.workdays import Deadline, legal_deadline, working_deadline
from core.timezone import SHANGHAI, local_date


def deadline_for(starts_at: datetime, amount: int, unit: str) -> Deadline:
    """`amount` working days, calendar days under the statutory rule (unit "calendar"), or hours
    (a grade-1 warning's 24 hours run through nights and holidays alike)."""
    if unit == "working":
        return working_deadline(starts_at, amount)
    if unit == "hours":
        return Deadline(starts_at + timedelta(hours=amount), frozenset())
    return legal_deadline(starts_at, amount)


def spans_touching(starts_at, due_at, years) -> ColumnElement[bool]:
    """SQL: a deadline's span (after its start, through its day) meets one of the years.

    Days outside the span never move a deadline: counting stops at its day, and a rest day it
    is moved off lies inside it."""
    return or_(
        false(), *(and_(starts_at < _year_start(year + 1), due_at >= _year_start(year)) for year in sorted(years))
    )


def moved_deadlines(rows) -> list[dict]:
    """For rows with id, starts_at, amount, unit, due_at and provisional: the new deadline of each
    row whose deadline or provisional mark moved, as {id, due_at, provisional}."""
    counted: dict[tuple[date, int, str], Deadline] = {}
    moved = []
    for row in rows:
        # A deadline depends on the Shanghai day it starts, not the hour: cases filed on the same
        # day share one count.
        key = (local_date(row.starts_at), row.amount, row.unit)
        if key not in counted:
            counted[key] = deadline_for(row.starts_at, row.amount, row.unit)
        deadline = counted[key]
        if (deadline.at, deadline.is_provisional) != (row.due_at, row.provisional):
            moved.append({"id": row.id, "due_at": deadline.at, "provisional": deadline.is_provisional})
    return moved


def chunks(values: list, size: int = 500):
    """Slices of a list short enough to name in one SQL statement."""
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _year_start(year: int) -> datetime:
    return datetime(year, 1, 1, tzinfo=SHANGHAI)
