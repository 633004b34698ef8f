"""Calendar changes; each public function is one transaction."""
from dataclasses import dataclass
from datetime import date

from flask import current_app
from sqlalchemy import delete, insert, select

from core.audit import record_audit
from core.calendar.csvfile import parse_calendar_csv
from core.calendar.models import CalendarDay, CalendarYear, Source
from core.calendar.signals import calendar_changed
from core.calendar.workdays import forget_calendar
from core.db import utcnow
from core.extensions import db


@dataclass(frozen=True)
class LoadSummary:
    """What a schedule file changed."""

    rows: int
    years: tuple[int, ...]
    rest_days: int
    workdays: int

    def __str__(self) -> str:
        years = "、".join(f"{year}年" for year in self.years)
        return (f"已载入{years}的节假日安排：共{self.rows}行（休息{self.rest_days}天，"
                f"上班{self.workdays}天）")


def load_calendar_file(data: bytes, *, actor=None) -> LoadSummary:
    """Replace the whole schedule of each year a CSV file lists; nothing stored on any error."""
    days = parse_calendar_csv(data)
    years = tuple(sorted({day.year for day in days}))
    before = _replace_years(days, years)
    workdays = sum(days.values())
    summary = LoadSummary(rows=len(days), years=years, rest_days=len(days) - workdays,
                          workdays=workdays)
    record_audit("calendar.load", target_type="calendar", target_id=",".join(map(str, years)),
                 detail={"years": list(years), "rows": summary.rows, "rest_days": summary.rest_days,
                         "workdays": summary.workdays, "before": before}, actor=actor)
    db.session.commit()
    # Listeners recompute deadlines in their own transactions, so they must see this one committed.
    calendar_changed.send(current_app._get_current_object(), years=frozenset(years))
    return summary


def _replace_years(days: dict[date, bool], years: tuple[int, ...]) -> dict[str, str | None]:
    """Swap each year's rows for the file's (flush only); returns each year's previous source."""
    previous = dict(db.session.execute(
        select(CalendarYear.year, CalendarYear.source).where(CalendarYear.year.in_(years))).all())
    for year in years:
        db.session.execute(delete(CalendarDay).where(
            CalendarDay.day.between(date(year, 1, 1), date(year, 12, 31))))
    db.session.execute(delete(CalendarYear).where(CalendarYear.year.in_(years)))
    db.session.execute(insert(CalendarDay), [
        {"day": day, "is_workday": is_workday, "source": Source.ADMIN.value}
        for day, is_workday in sorted(days.items())])
    now = utcnow()
    db.session.execute(insert(CalendarYear), [
        {"year": year, "source": Source.ADMIN.value, "loaded_at": now} for year in years])
    db.session.flush()
    forget_calendar()
    return {str(year): previous.get(year) for year in years}
