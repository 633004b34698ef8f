"""驾驶舱: the numbers of the cases a user may see, counted in SQL by month, region and category."""

from dataclasses import dataclass, field, fields
from operator import add
from datetime import date, datetime

from flask import render_template
from flask_login import current_user
from sqlalchemy import and_, case, func, select, text

from admin import charts
from complaints.models import CaseClock, Category, Channel, ClockKind, Complaint, Rating, Status
from complaints.permissions import visible_cases
from core.views import Views
from core.db import utcnow
from core.extensions import db
from core.regions.models import Region
from core.timezone import SHANGHAI, local_date
from core.users.access import role_required
from core.users.models import Role, User

views = Views()

DASHBOARD_ROLES = (Role.HANDLER, Role.INSPECTOR, Role.ADMIN)
TOP = 10
OPEN_STATUSES = tuple(status for status in Status if status not in (Status.CLOSED, Status.MERGED))


@dataclass
class Rate:
    part: int = 0
    whole: int = 0

    @property
    def value(self) -> float | None:
        return 100 * self.part / self.whole if self.whole else None

    @property
    def percent(self) -> str:
        return "—" if self.whole == 0 else f"{self.value:.1f}%"


@dataclass
class Tally:
    """Counts for one row of a table; the clock triples are met on time, met late, overdue unmet."""

    received: int = 0
    reply_on_time: int = 0
    reply_late: int = 0
    reply_overdue: int = 0
    progress_on_time: int = 0
    progress_late: int = 0
    progress_overdue: int = 0
    closed: int = 0
    rated: int = 0
    good: int = 0
    open: int = 0
    overdue: int = 0

    @property
    def reply_rate(self) -> Rate:
        return Rate(self.reply_on_time, self.reply_on_time + self.reply_late + self.reply_overdue)

    @property
    def progress_rate(self) -> Rate:
        return Rate(self.progress_on_time, self.progress_on_time + self.progress_late + self.progress_overdue)

    @property
    def satisfaction(self) -> Rate:
        return Rate(self.good, self.rated)


TALLY_FIELDS = tuple(each.name for each in fields(Tally))
ARRIVAL_FIELDS = (
    "received",
    "reply_on_time",
    "reply_late",
    "reply_overdue",
    "progress_on_time",
    "progress_late",
    "progress_overdue",
    "closed",
    "rated",
    "good",
)


@dataclass
class Row:
    key: str
    label: str
    tally: Tally = field(default_factory=Tally)


@dataclass
class Stats:
    months: list[date]
    now: datetime
    total: Tally = field(default_factory=Tally)
    by_month: list[Tally] = field(default_factory=list)
    by_township: list[Row] = field(default_factory=list)
    by_village: list[Row] = field(default_factory=list)
    by_category: list[Row] = field(default_factory=list)


def month_starts(now: datetime, count: int = 12) -> list[date]:
    """The first days of the `count` Shanghai months ending with now's, oldest first."""
    today = local_date(now)
    index = today.year * 12 + today.month - 1
    return [date((i // 12), i % 12 + 1, 1) for i in range(index - count + 1, index + 1)]


def _bounds(months: list[date]) -> list[datetime]:
    last = months[-1]
    after = date(last.year + last.month // 12, last.month % 12 + 1, 1)
    return [datetime(d.year, d.month, 1, tzinfo=SHANGHAI) for d in [*months, after]]


def _bucket(column, bounds: list[datetime]):
    """Which month of the window an instant falls in (0 = oldest), as portable SQL."""
    return case(*[(column < bound, index) for index, bound in enumerate(bounds[1:])]).label("bucket")


def _count(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _clock_counts(kind: ClockKind, now: datetime) -> list:
    """Met on time, met late, overdue and not met, for the joined clock rows of one kind."""
    clock = CaseClock
    mine = clock.kind == kind
    return [
        _count(and_(mine, clock.met_at.is_not(None), clock.met_at <= clock.due_at)),
        _count(and_(mine, clock.met_at > clock.due_at)),
        _count(and_(mine, clock.met_at.is_(None), clock.paused_at.is_(None), clock.due_at < now)),
    ]


def _arrivals(scope, bounds: list[datetime], now: datetime):
    # One pass over both arrival clocks; every case opens exactly one reply clock on arrival,
    # so counting reply rows counts the cases received.
    # Every column counts the cases that arrived in the row's month: its closures and ratings
    # too, so that a month never shows more ratings than cases closed, or rates a case it did
    # not receive.
    bucket = _bucket(Complaint.received_at, bounds)
    is_reply = CaseClock.kind == ClockKind.REPLY
    return db.session.execute(
        select(
            bucket,
            Complaint.village_code,
            Complaint.category,
            _count(is_reply),
            *_clock_counts(ClockKind.REPLY, now),
            *_clock_counts(ClockKind.PROGRESS, now),
            _count(and_(is_reply, Complaint.status == Status.CLOSED)),
            _count(and_(is_reply, Complaint.rating.is_not(None))),
            _count(and_(is_reply, Complaint.rating.in_(Rating.good()))),
        )
        # An arrival clock starts when its case arrives (or later, after a pause): the bound
        # lets the database skip the clocks of older cases before joining.
        .join(
            CaseClock,
            and_(
                CaseClock.complaint_id == Complaint.id,
                CaseClock.starts_at >= bounds[0],
                CaseClock.kind.in_((ClockKind.REPLY, ClockKind.PROGRESS)),
            ),
        )
        # A merged duplicate is counted in the case it joined.
        .where(
            scope,
            Complaint.received_at >= bounds[0],
            Complaint.received_at < bounds[-1],
            Complaint.merged_into_id.is_(None),
        )
        .group_by(bucket, Complaint.village_code, Complaint.category)
    )


def _current(scope, now: datetime):
    return db.session.execute(
        select(Complaint.village_code, Complaint.category, func.count(), _count(Complaint.next_due_at < now))
        .where(scope, Complaint.status.in_(OPEN_STATUSES))
        .group_by(Complaint.village_code, Complaint.category)
    )


def _category_label(key: str) -> str:
    return Category.label_of(key)


class _Rollup:
    """Adds grouped rows (a few per village, category and month — never one per case) into tables.

    A row's counts are a vector in Tally's field order, summed with map(): adding them field by
    field into five tallies took a fifth of a county dashboard's time."""

    def __init__(self, stats: Stats):
        self.stats = stats
        self.months: dict[int, list[int]] = {}
        self.villages: dict[str, list[int]] = {}
        self.categories: dict[str, list[int]] = {}

    def add(self, rows, names: tuple[str, ...], *, bucketed: bool) -> None:
        """Rows of (bucket if bucketed, village, category, *counts of the fields `names`)."""
        at = [TALLY_FIELDS.index(name) for name in names]
        for row in rows:
            bucket, (village, category, *counts) = (row[0], row[1:]) if bucketed else (None, row)
            vector = [0] * len(TALLY_FIELDS)
            for index, count in zip(at, counts):
                vector[index] = int(count or 0)
            _sum_into(self.villages, village, vector)
            _sum_into(self.categories, category, vector)
            if bucket is not None:
                _sum_into(self.months, bucket, vector)

    def finish(self) -> Stats:
        townships: dict[str, list[int]] = {}
        for village, vector in self.villages.items():
            _sum_into(townships, village[:9] + "000", vector)
        names = dict(
            db.session.execute(
                select(Region.code, Region.name).where(Region.code.in_([*townships, *self.villages]))
            ).all()
        )

        def rows(vectors: dict[str, list[int]], label) -> list[Row]:
            found = [Row(key, label(key), Tally(*vector)) for key, vector in vectors.items()]
            return sorted(found, key=lambda row: (-row.tally.received, -row.tally.open, row.key))

        stats = self.stats
        stats.total = Tally(*[sum(column) for column in zip(*townships.values())]) if townships else Tally()
        stats.by_month = [
            Tally(*self.months[index]) if index in self.months else Tally() for index in range(len(stats.months))
        ]
        stats.by_township = rows(townships, lambda code: names.get(code, code))
        stats.by_village = rows(self.villages, lambda code: names.get(code, code))[:TOP]
        stats.by_category = rows(self.categories, _category_label)
        return stats


def _sum_into(table: dict, key, vector: list[int]) -> None:
    current = table.get(key)
    table[key] = vector if current is None else list(map(add, current, vector))


def dashboard_stats(user: User, months: list[date], now: datetime) -> Stats:
    """The dashboard's numbers for the cases the user may see: two grouped queries."""
    # Complaints only: the rules page counts warnings (channel 预警), which have no reply clock.
    scope = and_(visible_cases(user, local_date(now)), Complaint.channel != Channel.WARNING)
    bounds = _bounds(months)
    if db.session.get_bind().dialect.name == "postgresql":
        # PostgreSQL cannot estimate how few (month, village, category) groups there are and
        # would sort ~200,000 rows on disk under the default 4 MB; this transaction gets room.
        db.session.execute(text("SET LOCAL work_mem = '32MB'"))
    rollup = _Rollup(Stats(months=months, now=now))
    rollup.add(_arrivals(scope, bounds, now), ARRIVAL_FIELDS, bucketed=True)
    rollup.add(_current(scope, now), ("open", "overdue"), bucketed=False)
    return rollup.finish()


def month_label(day: date) -> str:
    return f"{day.year}年{day.month}月"


def stat_charts(stats: Stats) -> dict:
    """The dashboard's inline SVG charts; each is shown beside its table."""
    labels = [f"{d.month}月" for d in stats.months]
    return {
        "received": charts.bar_chart("近12个月受理量", labels, [t.received for t in stats.by_month], unit="件"),
        "rates": charts.line_chart(
            "按期答复率与满意度",
            labels,
            [
                ("初步答复按期率", [t.reply_rate.value for t in stats.by_month]),
                ("进展告知按期率", [t.progress_rate.value for t in stats.by_month]),
                ("满意度", [t.satisfaction.value for t in stats.by_month]),
            ],
        ),
        "categories": charts.hbar_chart("按类别受理量", [(r.label, r.tally.received) for r in stats.by_category]),
        "villages": charts.hbar_chart("受理量居前的村", [(r.label, r.tally.received) for r in stats.by_village]),
    }


@views.get("/dashboard")
@role_required(*DASHBOARD_ROLES)
def dashboard():
    now = utcnow()
    stats = dashboard_stats(current_user, month_starts(now), now)
    return render_template("admin/dashboard.html", stats=stats, charts=stat_charts(stats), month_label=month_label)
