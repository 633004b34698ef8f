"""The disclosure calendar: what each village owes, month by month, and since when it is late.

Two kinds have a calendar (docs/import-templates.md, "What is due when"):

- the ledger: every month, by the 10th of the next month, from the village's first ledger on the
  portal (or just last month);
- the subsidy rosters: every monthly item (`SubsidyItem.monthly`: 最低生活保障金 and the others
  national rules pay every month) the village has paid, every month from its first roster on the
  portal, by the same day. A month without income or expense, or in which a monthly item was not
  paid, is declared (本月无收支 / 本月其余项目未发放), which discloses it.

Items paid yearly or when due (耕地地力保护补贴, …), project progress and contracts have no
calendar: the documents give them none, and they are disclosed when they happen or change.

The staff pages and the public pages ask `disclosure_calendar` the same question; the public side
counts published batches only (`published_only`), since a public page may change only with a
publication or the date (portal/caching.py keys it on those) and a batch under review is not
disclosed yet."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select

from core.extensions import db
from core.regions.models import Region
from disclosures.models import Batch, BatchStatus, Kind, SubsidyItem, SubsidyPayment

DUE_DAY = 10
MONTHS_SHOWN = 12
SCHEDULED = (Kind.LEDGER, Kind.SUBSIDIES)  # the kinds with a calendar; the others have none
_ORDER = {"late": 0, "due": 1, "pending": 2, "published": 3}


@dataclass(frozen=True)
class Due:
    """One thing a village owes: a ledger month, or one item's roster for a month."""

    village: Region
    month: str
    due_on: date
    state: str  # published / pending / due / late
    kind: Kind = Kind.LEDGER
    item: str = ""  # the subsidy item; empty for the ledger

    @property
    def late_since(self) -> date:
        """The first day the month counts as late: the day after its due date."""
        return self.due_on + timedelta(days=1)

    @property
    def label(self) -> str:
        return {"published": "已公开", "pending": "待审核", "due": "待公开", "late": "逾期未公开"}[self.state]

    @property
    def outstanding(self) -> bool:
        return self.state in ("late", "due")

    @property
    def title(self) -> str:
        """What is owed, in words: 收支明细, or 补贴发放·最低生活保障金."""
        return f"{self.kind.label}·{self.item}" if self.item else self.kind.label


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


def _counted(published_only: bool) -> tuple[BatchStatus, ...]:
    return (BatchStatus.PUBLISHED,) if published_only else (BatchStatus.PUBLISHED, BatchStatus.PENDING)


def _keep_best(found: Iterable[tuple], best: dict) -> None:
    """key… , status rows into best[key] = status, a published one winning over a pending one."""
    for *key, status in found:
        if best.get(tuple(key)) != BatchStatus.PUBLISHED:
            best[tuple(key)] = status


def _declared(kind: Kind, codes: list[str], months: list[str], statuses) -> dict[tuple[str, str], BatchStatus]:
    """(village, month) → status of the month's ledger batches, or of its subsidy declarations
    (the empty roster batch that says the month's remaining items were not paid)."""
    best: dict = {}
    query = select(Batch.village_code, Batch.period, Batch.status).where(
        Batch.kind == kind,
        Batch.village_code.in_(codes),
        Batch.period.in_(months),
        Batch.status.in_(statuses),
        Batch.is_correction.is_(False),
    )
    _keep_best(db.session.execute(query), best)
    return best


def _ledger(villages, months, statuses, today) -> list[Due]:
    codes = [village.code for village in villages]
    best = _declared(Kind.LEDGER, codes, months, statuses)
    first = dict(
        db.session.execute(
            select(Batch.village_code, func.min(Batch.period))
            .where(Batch.kind == Kind.LEDGER, Batch.village_code.in_(codes), Batch.status.in_(statuses))
            .group_by(Batch.village_code)
        ).all()
    )
    entries = []
    for village in villages:
        # A village is held to months since its first ledger on the portal (or just last month).
        start = min(first.get(village.code) or months[0], months[0])
        for month in (m for m in months if m >= start):
            state = best.get((village.code, month)) or ("late" if today > due_date(month) else "due")
            entries.append(Due(village, month, due_date(month), str(state)))
    return entries


def _subsidy_rows(codes, statuses):
    return (
        select(SubsidyPayment.village_code, SubsidyPayment.item)
        .join(Batch, Batch.id == SubsidyPayment.batch_id)
        .join(SubsidyItem, SubsidyItem.name == SubsidyPayment.item)
        .where(
            SubsidyPayment.village_code.in_(codes),
            Batch.status.in_(statuses),
            SubsidyPayment.withdrawn.is_(False),
            SubsidyItem.monthly.is_(True),
        )
    )


def _subsidies(villages, months, statuses, today) -> list[Due]:
    codes = [village.code for village in villages]
    rows = _subsidy_rows(codes, statuses)
    # The monthly items a village pays, each from the first month a roster of it was disclosed.
    first = db.session.execute(
        rows.add_columns(func.min(SubsidyPayment.month)).group_by(SubsidyPayment.village_code, SubsidyPayment.item)
    ).all()
    best: dict = {}
    _keep_best(
        db.session.execute(
            rows.add_columns(SubsidyPayment.month, Batch.status).where(SubsidyPayment.month >= months[-1]).distinct()
        ),
        best,
    )
    declared = _declared(Kind.SUBSIDIES, codes, months, statuses)
    by_code = {village.code: village for village in villages}
    entries = []
    for code, item, start in first:
        for month in (m for m in months if m >= start):
            state = best.get((code, item, month)) or declared.get((code, month))
            state = state or ("late" if today > due_date(month) else "due")
            entries.append(Due(by_code[code], month, due_date(month), str(state), Kind.SUBSIDIES, item))
    return entries


def disclosure_calendar(villages: list[Region], today: date, *, published_only: bool = False) -> list[Due]:
    """Everything the villages owe over the last year with its state on `today`: late first, then
    due, then waiting for review, then disclosed; oldest month first within each."""
    if not villages:
        return []
    months, statuses = recent_months(today), _counted(published_only)
    entries = _ledger(villages, months, statuses, today) + _subsidies(villages, months, statuses, today)
    return sorted(entries, key=lambda e: (_ORDER[e.state], e.month, e.village.code, e.kind.value, e.item))


def public_overdue(village: Region, today: date) -> list[Due]:
    """What the public pages call 逾期未公开: the village's months past due with nothing published,
    oldest first. The same calendar as the staff's, on published batches only."""
    return [due for due in disclosure_calendar([village], today, published_only=True) if due.state == "late"]
