"""The disclosure calendar: each village's monthly ledger is due by the 10th of the next month."""

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select

from core.extensions import db
from core.regions.models import Region
from disclosures.models import Batch, BatchStatus, Kind

DUE_DAY = 10
MONTHS_SHOWN = 12


@dataclass(frozen=True)
class LedgerDue:
    village: Region
    month: str
    due_on: date
    state: str  # published / pending / due / late

    @property
    def late_since(self) -> date:
        """The first day the month counts as late: the day after its due date."""
        return self.due_on + timedelta(days=1)

    @property
    def label(self) -> str:
        return {"published": "已公开", "pending": "待审核", "due": "待公开", "late": "逾期未公开"}[self.state]


def _month_key(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def recent_months(today: date, count: int = MONTHS_SHOWN) -> list[str]:
    """The `count` months before today's month, newest first (the current month is not due yet)."""
    year, month = today.year, today.month
    months = []
    for _ in range(count):
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
        months.append(_month_key(year, month))
    return months


def due_date(month: str) -> date:
    """The 10th of the month after `month`."""
    year, number = int(month[:4]), int(month[5:])
    year, number = (year, number + 1) if number < 12 else (year + 1, 1)
    return date(year, number, DUE_DAY)


def ledger_calendar(villages: list[Region], today: date) -> list[LedgerDue]:
    """Each village's ledger months, oldest outstanding first, with their state on `today`."""
    months = recent_months(today)
    codes = [village.code for village in villages]
    found = db.session.execute(
        select(Batch.village_code, Batch.period, Batch.status).where(
            Batch.kind == Kind.LEDGER,
            Batch.village_code.in_(codes),
            Batch.period.in_(months),
            Batch.status != BatchStatus.RETURNED,
            Batch.is_correction.is_(False),
        )
    ).all()
    best = {}
    for code, period, status in found:
        if best.get((code, period)) != BatchStatus.PUBLISHED:
            best[(code, period)] = status
    first = dict(
        db.session.execute(
            select(Batch.village_code, func.min(Batch.period))
            .where(Batch.kind == Kind.LEDGER, Batch.village_code.in_(codes))
            .group_by(Batch.village_code)
        ).all()
    )
    entries = []
    for village in villages:
        # A village is held to months since its first ledger on the portal (or just last month).
        start = min(first.get(village.code) or months[0], months[0])
        for month in (m for m in months if m >= start):
            status = best.get((village.code, month))
            state = status or ("late" if today > due_date(month) else "due")
            entries.append(LedgerDue(village, month, due_date(month), state))
    order = {"late": 0, "due": 1, "pending": 2, "published": 3}
    return sorted(entries, key=lambda e: (order[e.state], e.month, e.village.code))


def public_overdue(village: Region, today: date) -> list[LedgerDue]:
    """The village's ledger months past due with nothing published, oldest first: what the public
    pages say. Published batches only, unlike the staff calendar's 待审核: a public page may
    change only with a publication or the date (portal/caching.py keys it on those), and a batch
    waiting for review is not disclosed yet."""
    months = recent_months(today)
    published = set(
        db.session.scalars(
            select(Batch.period).where(
                Batch.kind == Kind.LEDGER, Batch.village_code == village.code, Batch.status == BatchStatus.PUBLISHED
            )
        )
    )
    start = min(min(published, default=months[0]), months[0])
    late = [month for month in months if month >= start and month not in published and today > due_date(month)]
    return [LedgerDue(village, month, due_date(month), "late") for month in reversed(late)]
