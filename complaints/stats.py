"""Public complaint statistics per region and month (docs/clocks.md, "What the numbers mean
publicly"): counted in SQL from stored deadlines, never by looping over cases.

Published figures must not out a complaint: they stop at the end of yesterday, so that a count
never moves while a neighbour is seen leaving the township hall, and a count (or the whole of a
rate) below three is shown as "<3", never as the one or two it is."""

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import aliased

from core.extensions import db
from core.timezone import local_date, shanghai
from complaints.models import CaseClock, Channel, ClockKind, Complaint, Rating, Status

SMALL = 3  # fewer cases than this can point at a person


def public_count(number: int) -> str:
    """A count as published: exact from three on, "<3" below (none, one or two alike)."""
    return str(number) if number >= SMALL else f"<{SMALL}"


def published_until(now: datetime) -> datetime:
    """The instant public figures stop at: the start of today in Shanghai (a day's delay)."""
    today = local_date(now)
    return shanghai(today.year, today.month, today.day)


@dataclass
class Rate:
    """Part of a whole, shown as a percentage; no whole, no number."""

    part: int = 0
    whole: int = 0

    @property
    def percent(self) -> str:
        return f"{100 * self.part / self.whole:.1f}%" if self.whole else "—"

    @property
    def shown(self) -> str:
        """As published: no rate of one or two cases (a 0% of one is that person's rating)."""
        return self.percent if self.whole >= SMALL else "—"

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

    @property
    def received_shown(self) -> str:
        return public_count(self.received)

    @property
    def closed_shown(self) -> str:
        return public_count(self.closed)

    def __add__(self, other: "MonthStats") -> "MonthStats":
        return MonthStats(
            0,
            self.received + other.received,
            self.replies + other.replies,
            self.progress + other.progress,
            self.closed + other.closed,
            self.satisfaction + other.satisfaction,
        )


def _month_of(column, year: int):
    """The Shanghai month (1–12) an instant falls in, as portable SQL on the stored UTC value."""
    return case(*[(column < shanghai(year + (m == 12), m % 12 + 1, 1), m) for m in range(1, 13)])


def _in_year(column, year: int):
    return and_(column >= shanghai(year, 1, 1), column < shanghai(year + 1, 1, 1))


def _count(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _clock_counts(clock, now: datetime) -> list:
    """Met on time, met late, and overdue and not met, as they stood at `now`."""
    met = and_(clock.met_at.is_not(None), clock.met_at < now)
    return [
        _count(and_(met, clock.met_at <= clock.due_at)),
        _count(and_(met, clock.met_at > clock.due_at)),
        _count(and_(or_(clock.met_at.is_(None), clock.met_at >= now), clock.due_at < now)),
    ]


def arrivals_by_month(prefix: str, year: int, now: datetime) -> dict[int, MonthStats]:
    """Received, on-time rates of both clocks and closed, by month of arrival, as at `now`."""
    reply, progress = aliased(CaseClock), aliased(CaseClock)
    month = _month_of(Complaint.received_at, year).label("month")
    query = (
        select(
            month,
            func.count(Complaint.id),
            *_clock_counts(reply, now),
            *_clock_counts(progress, now),
            _count(and_(Complaint.status == Status.CLOSED, Complaint.closed_at < now)),
        )
        .select_from(Complaint)
        .outerjoin(reply, and_(reply.complaint_id == Complaint.id, reply.kind == ClockKind.REPLY))
        .outerjoin(progress, and_(progress.complaint_id == Complaint.id, progress.kind == ClockKind.PROGRESS))
        .where(
            _region(prefix),
            _in_year(Complaint.received_at, year),
            Complaint.received_at < now,
            Complaint.merged_into_id.is_(None),
        )  # a merged duplicate is counted in its target
        .group_by(month)
    )
    found = {}
    for m, received, r_on, r_late, r_over, p_on, p_late, p_over, closed in db.session.execute(query):
        found[m] = MonthStats(
            m, received, Rate(r_on, r_on + r_late + r_over), Rate(p_on, p_on + p_late + p_over), closed
        )
    return found


def satisfaction_by_month(prefix: str, year: int, now: datetime) -> dict[int, Rate]:
    """(满意 + 基本满意) / ratings given before `now`, by month of closing."""
    month = _month_of(Complaint.closed_at, year).label("month")
    query = (
        select(month, _count(Complaint.rating.in_(Rating.good())), func.count(Complaint.rating))
        .where(
            _region(prefix),
            _in_year(Complaint.closed_at, year),
            Complaint.rating.is_not(None),
            Complaint.closed_at < now,
            or_(Complaint.rated_at.is_(None), Complaint.rated_at < now),
        )
        .group_by(month)
    )
    return {m: Rate(good, given) for m, good, given in db.session.execute(query)}


def _region(prefix: str):
    # Warnings raised by the cross-check rules are the commission's own work, never public numbers.
    return and_(Complaint.village_code.like(f"{prefix}%"), Complaint.channel != Channel.WARNING)


def year_stats(prefix: str, year: int, now: datetime) -> tuple[list[MonthStats], MonthStats]:
    """Twelve months (empty ones too) and the year's total, as they stood at `now`."""
    arrivals = arrivals_by_month(prefix, year, now)
    ratings = satisfaction_by_month(prefix, year, now)
    months = []
    for m in range(1, 13):
        row = arrivals.get(m, MonthStats(m))
        row.satisfaction = ratings.get(m, Rate())
        months.append(row)
    total = sum(months[1:], months[0])
    return months, total
