"""What the accountant checks before submitting, and the reviewer before approving: totals."""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select

from core.extensions import db
from core.regions.models import Region
from disclosures.models import Direction, Kind
from disclosures.parsed import ParsedBatch, ParsedUpload

PREVIEW_PAGE_ROWS = 50

# Per kind: the row keys shown in a preview table, with their headings. No ID or account numbers.
PREVIEW_COLUMNS = {
    Kind.LEDGER: [
        ("entry_on", "日期"),
        ("voucher_no", "凭证号"),
        ("direction", "收支"),
        ("category", "科目"),
        ("summary", "摘要"),
        ("amount", "金额"),
        ("counterparty", "对方单位"),
    ],
    Kind.SUBSIDIES: [
        ("item", "补贴项目"),
        ("month", "发放年月"),
        ("name", "姓名"),
        ("amount", "金额"),
        ("paid_on", "发放日期"),
    ],
    Kind.PROJECTS: [
        ("project_no", "项目编号"),
        ("name", "项目名称"),
        ("budget", "预算金额"),
        ("progress", "进度"),
        ("paid_total", "累计支付"),
        ("status", "状态"),
        ("updated_on", "更新日期"),
    ],
    Kind.CONTRACTS: [
        ("contract_no", "合同编号"),
        ("subject", "标的名称"),
        ("party", "承包方"),
        ("start_on", "起始日期"),
        ("end_on", "终止日期"),
        ("annual_rent", "年租金"),
        ("pay_cycle", "缴费周期"),
    ],
}


@dataclass(frozen=True)
class Totals:
    rows: int
    income: Decimal
    expense: Decimal
    amount: Decimal

    def lines(self, kind: Kind) -> list[str]:
        if kind == Kind.LEDGER:
            return [
                f"收入合计 {self.income:,.2f} 元",
                f"支出合计 {self.expense:,.2f} 元",
                f"收支相抵 {self.income - self.expense:,.2f} 元",
            ]
        if kind == Kind.SUBSIDIES:
            return [f"发放金额合计 {self.amount:,.2f} 元"]
        return []


def _get(row, key):
    return row.get(key) if isinstance(row, dict) else getattr(row, key)


def totals(kind: Kind, rows: Iterable) -> Totals:
    """Row count and money totals of a batch's rows (dicts from an upload, or stored rows)."""
    count, income, expense, amount = 0, Decimal(0), Decimal(0), Decimal(0)
    for row in rows:
        count += 1
        if kind == Kind.LEDGER:
            if _get(row, "direction") == "income":
                income += _get(row, "amount")
            elif _get(row, "direction") == "expense":
                expense += _get(row, "amount")
        elif kind == Kind.SUBSIDIES:
            amount += _get(row, "amount")
    return Totals(count, income, expense, amount)


def display_value(row, key: str) -> str:
    """A preview cell as a person reads it."""
    value = _get(row, key)
    if key == "direction":
        return Direction.label_of(value)
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    return "" if value is None else str(value)


@dataclass(frozen=True)
class PreviewRow:
    village: str
    period: str | None
    row: dict


@dataclass(frozen=True)
class PreviewPage:
    """One page of an upload's rows, across its batches in order, with each batch's village name."""

    page: int
    pages: int
    rows: list[PreviewRow]
    names: dict[str, str]

    def name(self, batch: ParsedBatch) -> str:
        return self.names.get(batch.village_code, batch.village_code)


def preview_page(parsed: ParsedUpload, page: int, per_page: int = PREVIEW_PAGE_ROWS) -> PreviewPage:
    """Rows `per_page` at a time; a page past the end shows the last one."""
    codes = {batch.village_code for batch in parsed.batches}
    names = dict(db.session.execute(select(Region.code, Region.name).where(Region.code.in_(codes))).all())
    pages = max(1, -(-parsed.row_count // per_page))
    page = min(max(page, 1), pages)
    start, end, seen, rows = (page - 1) * per_page, page * per_page, 0, []
    for batch in parsed.batches:
        if seen + len(batch.rows) > start and seen < end:
            name = names.get(batch.village_code, batch.village_code)
            rows += [PreviewRow(name, batch.period, row) for row in batch.rows[max(0, start - seen) : end - seen]]
        seen += len(batch.rows)
    return PreviewPage(page, pages, rows, names)
