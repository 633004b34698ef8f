"""Calendar changes; each public function is one transaction."""

from dataclasses import dataclass
from datetime import date

from flask import current_app
from sqlalchemy import delete, insert, select

from core.audit import record_audit
from core.calendar.completeness import incomplete_years
from core.calendar.csvfile import parse_calendar_csv
from core.calendar.models import CalendarDay, CalendarYear, Source
from core.calendar.recompute import chunks
from core.calendar.signals import calendar_changed
from core.calendar.workdays import forget_calendar
from core.db import utcnow
from core.extensions import db
from core.problems import Problem, Rejected


class IncompleteYear(Rejected):
    """A file loaded as whole years that cannot be one (see completeness.py)."""


@dataclass(frozen=True)
class LoadSummary:
    """What a schedule file changed."""

    rows: int
    years: tuple[int, ...]
    rest_days: int
    workdays: int
    partial: bool = False

    def __str__(self) -> str:
        years = "、".join(f"{year}年" for year in self.years)
        counts = f"休息{self.rest_days}天，上班{self.workdays}天"
        if self.partial:
            return f"已更正{years}的{self.rows}个日期（{counts}），其余日期不变"
        return f"已载入{years}的节假日安排：共{self.rows}行（{counts}）"


def load_calendar_file(data: bytes, *, actor=None, partial: bool = False) -> LoadSummary:
    """Replace the whole schedule of each year a CSV file lists, or with `partial` change only the
    dates it lists, in years already loaded; nothing stored on any error."""
    days = parse_calendar_csv(data)
    years = tuple(sorted({day.year for day in days}))
    if partial:
        before = _amend_days(days, years)
    else:
        problems = incomplete_years(days)
        if problems:
            raise IncompleteYear(problems)
        before = _replace_years(days, years)
    workdays = sum(days.values())
    summary = LoadSummary(
        rows=len(days), years=years, rest_days=len(days) - workdays, workdays=workdays, partial=partial
    )
    record_audit(
        "calendar.load",
        target_type="calendar",
        target_id=",".join(map(str, years)),
        detail={
            "years": list(years),
            "rows": summary.rows,
            "rest_days": summary.rest_days,
            "workdays": summary.workdays,
            "partial": partial,
            "before": before,
        },
        actor=actor,
    )
    db.session.commit()
    # Listeners recompute deadlines in their own transactions, so they must see this one committed.
    calendar_changed.send(current_app._get_current_object(), years=frozenset(years))
    return summary


def _replace_years(days: dict[date, bool], years: tuple[int, ...]) -> dict[str, str | None]:
    """Swap each year's rows for the file's (flush only); returns each year's previous source."""
    previous = dict(
        db.session.execute(select(CalendarYear.year, CalendarYear.source).where(CalendarYear.year.in_(years))).all()
    )
    for year in years:
        db.session.execute(delete(CalendarDay).where(CalendarDay.day.between(date(year, 1, 1), date(year, 12, 31))))
    db.session.execute(delete(CalendarYear).where(CalendarYear.year.in_(years)))
    db.session.execute(
        insert(CalendarDay),
        [
            {"day": day, "is_workday": is_workday, "source": Source.ADMIN.value}
            for day, is_workday in sorted(days.items())
        ],
    )
    now = utcnow()
    db.session.execute(
        insert(CalendarYear), [{"year": year, "source": Source.ADMIN.value, "loaded_at": now} for year in years]
    )
    db.session.flush()
    forget_calendar()
    return {str(year): previous.get(year) for year in years}


def _amend_days(days: dict[date, bool], years: tuple[int, ...]) -> dict[str, str | None]:
    """Write the listed days into years already loaded (flush only); returns each day's previous
    kind, None where it followed Mon–Fri."""
    loaded = set(db.session.scalars(select(CalendarYear.year).where(CalendarYear.year.in_(years))))
    # In a year not loaded, listed days count for nothing (Mon–Fri rules it), so storing them
    # would look like a change that is not one.
    unloaded = [
        Problem(f"{year}年尚未载入全年的节假日安排，不能只更正其中的日期；请载入该年完整的安排")
        for year in years
        if year not in loaded
    ]
    if unloaded:
        raise Rejected(unloaded)
    listed = sorted(days)
    previous: dict[date, bool] = {}
    for chunk in chunks(listed):
        previous.update(
            db.session.execute(select(CalendarDay.day, CalendarDay.is_workday).where(CalendarDay.day.in_(chunk))).all()
        )
        db.session.execute(delete(CalendarDay).where(CalendarDay.day.in_(chunk)))
    db.session.execute(
        insert(CalendarDay), [{"day": day, "is_workday": days[day], "source": Source.ADMIN.value} for day in listed]
    )
    db.session.flush()
    forget_calendar()
    return {day.isoformat(): None if day not in previous else ("上班" if previous[day] else "休息") for day in listed}
