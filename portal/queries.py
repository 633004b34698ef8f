"""Read helpers for the public disclosure pages: select() statements, and small fetches over them.

Which rows are public is disclosures/public.py's to say.
"""

import math
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import Select, String, and_, case, func, literal, or_, select, union_all

from core.extensions import db
from core.names import same_name
from core.regions.models import Region
from core.regions.queries import escape_like
from disclosures.models import (
    ROW_MODELS,
    Direction,
    Batch,
    BatchStatus,
    Contract,
    Kind,
    LedgerEntry,
    ProjectUpdate,
    SubsidyPayment,
)
from disclosures.public import is_public, newest_update_first

PER_PAGE = 100
# On a phone each list reads as cards of a few lines (a ledger row ~290 px at 360 px, a lease
# ~470 px): pages of these sizes stay under 5,000 px, a few screens, with the pager in reach
# (tests/browser/test_widths_browser.py measures them).
LEDGER_PER_PAGE = 9
ROSTER_PER_PAGE = 30
INDEX_PER_PAGE = 30
CARDS_PER_PAGE = 7  # projects, contracts, corrections
INCOME, EXPENSE, OPENING = Direction.INCOME, Direction.EXPENSE, Direction.OPENING
RENT_CATEGORY = "发包及上交收入"
ACCEPTED = "已验收"
ZERO = Decimal("0.00")


def _village_public(model, code: str):
    return and_(model.village_code == code, is_public(model))


def _signed():
    """What a row does to the balance: an expense takes away; income and the opening balance add."""
    return case((LedgerEntry.direction == EXPENSE, -LedgerEntry.amount), else_=LedgerEntry.amount)


@dataclass
class Page:
    """One page of at most PER_PAGE items, and where it lies among the rest."""

    items: list
    number: int
    total: int
    per_page: int = PER_PAGE

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.per_page


def paginate(query: Select, number: int, *, scalars: bool = True, per_page: int = PER_PAGE) -> Page:
    """Count the query's rows and fetch page `number` (clamped to the pages there are)."""
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    page = Page([], 1, total or 0, per_page)
    page.number = min(max(number, 1), page.pages)
    limited = query.limit(per_page).offset(page.offset)
    page.items = list(db.session.scalars(limited) if scalars else db.session.execute(limited))
    return page


def whole(query: Select) -> Page:
    """Every row of the query as a single page (downloads and notice boards)."""
    rows = list(db.session.execute(query))
    return Page(rows, 1, len(rows))


# Ledger ---------------------------------------------------------------------------------------


def ledger_months(code: str) -> list[str]:
    """The months (YYYY-MM) with public ledger rows, latest first."""
    return list(
        db.session.scalars(
            select(LedgerEntry.month)
            .distinct()
            .where(_village_public(LedgerEntry, code))
            .order_by(LedgerEntry.month.desc())
        )
    )


def income_expense(code: str, *where) -> tuple[Decimal, Decimal]:
    """Total public income and expense of a village over the rows matching `where`."""
    query = (
        select(LedgerEntry.direction, func.sum(LedgerEntry.amount))
        .where(_village_public(LedgerEntry, code), *where)
        .group_by(LedgerEntry.direction)
    )
    sums = dict(db.session.execute(query).all())
    return sums.get(INCOME) or ZERO, sums.get(EXPENSE) or ZERO


def balance_before(code: str, month: str) -> Decimal:
    """Income − expense over all public ledger rows of the months before `month`."""
    query = select(func.sum(_signed())).where(_village_public(LedgerEntry, code), LedgerEntry.month < month)
    return db.session.scalar(query) or ZERO


def opening_balance(code: str) -> LedgerEntry | None:
    """The village's disclosed 期初余额 row, if it published one (the importer allows one)."""
    return db.session.scalars(
        select(LedgerEntry)
        .where(_village_public(LedgerEntry, code), LedgerEntry.direction == OPENING)
        .order_by(LedgerEntry.entry_on, LedgerEntry.id)
        .limit(1)
    ).first()


def ledger_month_rows(code: str, month: str) -> Select:
    """A month's public rows by date, each with the month's running income − expense up to it."""
    running = func.sum(_signed()).over(order_by=(LedgerEntry.entry_on, LedgerEntry.id))
    return (
        select(LedgerEntry, running.label("running"))
        .where(_village_public(LedgerEntry, code), LedgerEntry.month == month, LedgerEntry.direction != OPENING)
        .order_by(LedgerEntry.entry_on, LedgerEntry.id)
    )


def category_subtotals(code: str, month: str) -> Select:
    """(direction, category, rows, amount) for a month, income first."""
    return (
        select(LedgerEntry.direction, LedgerEntry.category, func.count(), func.sum(LedgerEntry.amount))
        .where(_village_public(LedgerEntry, code), LedgerEntry.month == month, LedgerEntry.direction != OPENING)
        .group_by(LedgerEntry.direction, LedgerEntry.category)
        .order_by(LedgerEntry.direction.desc(), LedgerEntry.category)
    )


def ledger_search(code: str, term: str) -> Select:
    """The village's public rows whose 摘要, 对方单位 or 凭证号 contains the term literally."""
    pattern = f"%{escape_like(term)}%"
    return (
        select(LedgerEntry)
        .where(
            _village_public(LedgerEntry, code),
            or_(
                LedgerEntry.summary.like(pattern, escape="\\"),
                LedgerEntry.counterparty.like(pattern, escape="\\"),
                LedgerEntry.voucher_no.like(pattern, escape="\\"),
            ),
        )
        .order_by(LedgerEntry.entry_on.desc(), LedgerEntry.id.desc())
    )


# Batches --------------------------------------------------------------------------------------


def recent_batches(code: str, limit: int = 8) -> Select:
    """The village's latest published batches, newest first."""
    return (
        select(Batch)
        .where(Batch.village_code == code, Batch.status == BatchStatus.PUBLISHED)
        .order_by(Batch.sequence.desc())
        .limit(limit)
    )


def batch_topics(batches: list[Batch]) -> dict[int, list[tuple[str, str | None]]]:
    """Batch id → what its rows are about, (name, month): a roster's items and months, the projects'
    and contracts' names (a ledger batch names its month already). Withdrawals count: a row taken
    back is what such a batch published."""
    topics: dict[int, list[tuple[str, str | None]]] = {b.id: [] for b in batches}
    columns = {
        Kind.SUBSIDIES: (SubsidyPayment.item, SubsidyPayment.month),
        Kind.PROJECTS: (ProjectUpdate.name, literal(None, String)),
        Kind.CONTRACTS: (Contract.subject, literal(None, String)),
    }
    for kind, (name, month) in columns.items():
        ids = [b.id for b in batches if b.kind is kind]
        if not ids:
            continue
        model = ROW_MODELS[kind]
        query = (
            select(model.batch_id, name, month)
            .distinct()
            .where(model.batch_id.in_(ids))
            .order_by(model.batch_id, month.desc(), name)
        )
        for batch_id, topic, topic_month in db.session.execute(query):
            topics[batch_id].append((topic, topic_month))
    return topics


def latest_batch(code: str) -> Batch | None:
    """The head of the village's hash chain: its fingerprint vouches for everything before it."""
    return db.session.scalars(recent_batches(code, 1)).first()


def latest_batch_holding(model, code: str, *where) -> Batch | None:
    """The latest published batch with rows (withdrawals too) matching `where`: the version shown."""
    holding = select(model.batch_id).where(model.village_code == code, model.published.is_(True), *where)
    return db.session.scalars(
        select(Batch)
        .where(Batch.status == BatchStatus.PUBLISHED, Batch.id.in_(holding))
        .order_by(Batch.sequence.desc())
        .limit(1)
    ).first()


# Subsidies ------------------------------------------------------------------------------------


def subsidy_index(code: str, item: str = "", month: str = "") -> Select:
    """(item, month, payments, amount) of the village's public rosters, latest month first."""
    query = (
        select(SubsidyPayment.item, SubsidyPayment.month, func.count(), func.sum(SubsidyPayment.amount))
        .where(_village_public(SubsidyPayment, code))
        .group_by(SubsidyPayment.item, SubsidyPayment.month)
        .order_by(SubsidyPayment.month.desc(), SubsidyPayment.item)
    )
    if item:
        query = query.where(SubsidyPayment.item == item)
    if month:
        query = query.where(SubsidyPayment.month == month)
    return query


def subsidy_choices(code: str) -> tuple[list[str], list[str]]:
    """The items and the months (latest first) of the village's public rosters, for the selectors."""
    where = _village_public(SubsidyPayment, code)
    items = db.session.scalars(select(SubsidyPayment.item).distinct().where(where).order_by(SubsidyPayment.item))
    months = db.session.scalars(
        select(SubsidyPayment.month).distinct().where(where).order_by(SubsidyPayment.month.desc())
    )
    return list(items), list(months)


def subsidy_rows(code: str, item: str, month: str) -> Select:
    """One item's public payments of one month, in roster order."""
    return (
        select(SubsidyPayment)
        .where(_village_public(SubsidyPayment, code), SubsidyPayment.item == item, SubsidyPayment.month == month)
        .order_by(SubsidyPayment.batch_id, SubsidyPayment.row_number, SubsidyPayment.id)
    )


def payments_for(id_hash: str, name: str) -> list:
    """Every public payment to exactly this ID hash and name, with its village, latest first.

    Names compare without roster padding on either side: rows imported before names were
    normalised keep 「王　五」 (rewriting them would change published rows and break their hash
    chain), and a villager may type 王五 or 王 五. The ID hash narrows it to one person's rows.
    """
    rows = db.session.execute(
        select(SubsidyPayment, Region)
        .join(Region, Region.code == SubsidyPayment.village_code)
        .where(is_public(SubsidyPayment), SubsidyPayment.id_hash == id_hash)
        .order_by(SubsidyPayment.month.desc(), SubsidyPayment.paid_on.desc(), SubsidyPayment.id)
    ).all()
    return [row for row in rows if same_name(row.SubsidyPayment.name, name)]


def villages_listing(name: str, limit: int = 20) -> list[str]:
    """The villages whose public subsidy lists carry this (normalised) name."""
    return list(
        db.session.scalars(
            select(SubsidyPayment.village_code)
            .distinct()
            .where(SubsidyPayment.name == name, is_public(SubsidyPayment))
            .order_by(SubsidyPayment.village_code)
            .limit(limit)
        )
    )


# Projects -------------------------------------------------------------------------------------


def latest_project_updates(code: str) -> Select:
    """Each project's latest public update, by 项目编号."""
    rank = func.row_number().over(partition_by=ProjectUpdate.project_no, order_by=newest_update_first())
    ranked = (
        select(ProjectUpdate.id, rank.label("rank"))
        .join(Batch, Batch.id == ProjectUpdate.batch_id)
        .where(_village_public(ProjectUpdate, code))
        .subquery()
    )
    return (
        select(ProjectUpdate)
        .join(ranked, ranked.c.id == ProjectUpdate.id)
        .where(ranked.c.rank == 1)
        .order_by(ProjectUpdate.project_no)
    )


def open_projects(code: str) -> Select:
    """Projects whose latest update is not yet 已验收."""
    return latest_project_updates(code).where(ProjectUpdate.status != ACCEPTED)


# Contracts ------------------------------------------------------------------------------------


def contracts(code: str) -> Select:
    """The village's public contracts by 合同编号."""
    return select(Contract).where(_village_public(Contract, code)).order_by(Contract.contract_no, Contract.id)


def rent_received(code: str, contract_nos: list[str], today: date) -> dict[str, Decimal]:
    """合同编号 → rent the public ledger shows received (发包及上交收入 linked to it) up to today."""
    if not contract_nos:
        return {}
    query = (
        select(LedgerEntry.link_code, func.sum(LedgerEntry.amount))
        .where(
            _village_public(LedgerEntry, code),
            LedgerEntry.direction == INCOME,
            LedgerEntry.category == RENT_CATEGORY,
            LedgerEntry.link_code.in_(contract_nos),
            LedgerEntry.entry_on <= today,
        )
        .group_by(LedgerEntry.link_code)
    )
    return dict(db.session.execute(query).all())


# Revisions and single rows --------------------------------------------------------------------


def corrections(code: str) -> Select:
    """(kind, row id, batch id) of every correction row in the village's published batches, newest first."""
    parts = [
        select(
            literal(kind.value, String).label("kind"),
            model.id.label("row_id"),
            Batch.id.label("batch_id"),
            Batch.sequence.label("sequence"),
        )
        .join(Batch, Batch.id == model.batch_id)
        .where(model.village_code == code, model.replaces_id.is_not(None), Batch.status == BatchStatus.PUBLISHED)
        for kind, model in ROW_MODELS.items()
    ]
    found = union_all(*parts).subquery()
    return select(found).order_by(found.c.sequence.desc(), found.c.kind, found.c.row_id)


def rows_by_id(kind: Kind, ids) -> dict[int, object]:
    """Rows of one kind by primary key, whatever their state (for old → new comparisons)."""
    model = ROW_MODELS[kind]
    ids = set(ids)
    return {row.id: row for row in db.session.scalars(select(model).where(model.id.in_(ids)))} if ids else {}
