"""Public complaint statistics per region and month (docs/clocks.md, "What the numbers mean
publicly"): counted in SQL from stored deadlines, never by looping over cases."""
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import aliased

from core.extensions import db
from core.timezone import shanghai
from complaints.models import CaseClock, Channel, ClockKind, Complaint, Status

GOOD_RATINGS = ("satisfied", "basically")


@dataclass
class Rate:
    """Part of a whole, shown as a percentage; no whole, no number."""

    part: int = 0
    whole: int = 0

    @property
    def percent(self) -> str:
        return f"{100 * self.part / self.whole:.1f}%" if self.whole else "—"

    def __add__(self, other: "Rate") -> "Rate":
        return Rate(self.part + other.part, self.whole + other.whole)


@dataclass
class MonthStats:
    month: int
    received: int = 0
    replies: Rate = field(default_factory=Rate)
    progress: Rate = field(default_factory=Rate)
    closed: int = 0
    satisfaction: Rate = field(default_factory=Rate)  # by month of closing, not of arrival

    def __add__(self, other: "MonthStats") -> "MonthStats":
        return MonthStats(0, self.received + other.received, self.replies + other.replies,
                          self.progress + other.progress, self.closed + other.closed,
                          self.satisfaction + other.satisfaction)


def _month_of(column, year: int):
    """The Shanghai month (1–12) an instant falls in, as portable SQL on the stored UTC value."""
    return case(*[(column < shanghai(year + (m == 12), m % 12 + 1, 1), m) for m in range(1, 13)])


def _in_year(column, year: int):
    return and_(column >= shanghai(year, 1, 1), column < shanghai(year + 1, 1, 1))


def _count(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _clock_counts(clock, now: datetime) -> list:
    """Met on time, met late, overdue and not met."""
    return [_count(and_(clock.met_at.is_not(None), clock.met_at <= clock.due_at)),
            _count(clock.met_at > clock.due_at),
            _count(and_(clock.met_at.is_(None), clock.due_at < now))]


def arrivals_by_month(prefix: str, year: int, now: datetime) -> dict[int, MonthStats]:
    """Received, on-time rates of both clocks and closed, by month of arrival."""
    reply, progress = aliased(CaseClock), aliased(CaseClock)
    month = _month_of(Complaint.received_at, year).label("month")
    query = (select(month, func.count(Complaint.id), *_clock_counts(reply, now), *_clock_counts(progress, now),
                    _count(Complaint.status == Status.CLOSED))
             .select_from(Complaint)
             .outerjoin(reply, and_(reply.complaint_id == Complaint.id, reply.kind == ClockKind.REPLY))
             .outerjoin(progress, and_(progress.complaint_id == Complaint.id, progress.kind == ClockKind.PROGRESS))
             .where(_region(prefix), _in_year(Complaint.received_at, year),
                    Complaint.merged_into_id.is_(None))  # a merged duplicate is counted in its target
             .group_by(month))
    found = {}
    for m, received, r_on, r_late, r_over, p_on, p_late, p_over, closed in db.session.execute(query):
        found[m] = MonthStats(m, received, Rate(r_on, r_on + r_late + r_over),
                              Rate(p_on, p_on + p_late + p_over), closed)
    return found


def satisfaction_by_month(prefix: str, year: int) -> dict[int, Rate]:
    """(满意 + 基本满意) / ratings given, by month of closing."""
    month = _month_of(Complaint.closed_at, year).label("month")
    query = (select(month, _count(Complaint.rating.in_(GOOD_RATINGS)), func.count(Complaint.rating))
             .where(_region(prefix), _in_year(Complaint.closed_at, year), Complaint.rating.is_not(None))
             .group_by(month))
    return {m: Rate(good, given) for m, good, given in db.session.execute(query)}


def _region(prefix: str):
    # Warnings raised by the cross-check rules are the commission's own work, never public numbers.
    return and_(Complaint.village_code.like(f"{prefix}%"), Complaint.channel != Channel.WARNING)


def year_stats(prefix: str, year: int, now: datetime) -> tuple[list[MonthStats], MonthStats]:
    """Twelve months (empty ones too) and the year's total."""
    arrivals = arrivals_by_month(prefix, year, now)
    ratings = satisfaction_by_month(prefix, year)
    months = []
    for m in range(1, 13):
        row = arrivals.get(m, MonthStats(m))
        row.satisfaction = ratings.get(m, Rate())
        months.append(row)
    total = sum(months[1:], months[0])
    return months, total
