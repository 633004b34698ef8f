"""The ledger template (村集体资金收支明细): one row per voucher of income or expense."""

from array import array
from datetime import date

from core.extensions import db
from core.tabular import TableSpec, parse_date
from disclosures.importers.rows import Cells, Findings, amount_parser
from disclosures.importers.stored import UniqueKeys, chunks, live_rows, stored_keys
from disclosures.importers.template import Template
from disclosures.models import Contract, Direction, Kind, LedgerEntry, ProjectUpdate

COLUMNS = ("村代码", "日期", "凭证号", "收支", "科目", "摘要", "金额", "对方单位", "关联编号")
SPEC = TableSpec(required=COLUMNS[:7], optional=COLUMNS[7:], amounts=("金额",), direction="收支")
CATEGORIES = {
    "income": ("经营收入", "发包及上交收入", "投资收益", "补助收入", "其他收入"),
    "expense": ("经营支出", "管理费用", "公益支出", "其他支出"),
    "opening": ("期初余额",),
}
OPENING = Direction.OPENING
positive_amount = amount_parser(allow_zero=False)


class LedgerTemplate(Template):
    """收支明细: a batch per village and month; 凭证号 unique per village and year."""

    kind = Kind.LEDGER
    columns = COLUMNS
    spec = SPEC
    period_field = "month"
    _sides = {side.label: side.value for side in Direction}  # 收支 as written → stored value

    def __init__(self, period: str | None, replacing: frozenset[int] = frozenset()):
        super().__init__(period, replacing)
        self._dates: dict = {}
        self._months: dict[date, tuple[str, int]] = {}
        self._categories = {side: {name: name for name in names} for side, names in CATEGORIES.items()}
        self._category_reasons = {
            side: f"{word}的科目应为：{'、'.join(CATEGORIES[side])}" for word, side in self._sides.items()
        }
        self._vouchers = UniqueKeys()  # per (village, year): 凭证号 → first row
        self._links: dict[tuple[str, str], array] = {}  # (village, 关联编号) → rows naming it
        self._openings = UniqueKeys()  # per village: its one 期初余额 row

    def parse(self, cells: Cells) -> dict:
        entry_on = self._entry_on(cells)
        month, year = self._month_of(entry_on) if entry_on else (None, None)
        direction = cells.choice("收支", self._sides, "应为 收入、支出 或 期初余额")
        # 科目 depends on 收支: with a bad 收支 there is no list to check it against.
        category = (
            cells.choice("科目", self._categories[direction], self._category_reasons[direction]) if direction else None
        )
        return {
            "row_number": cells.number,
            "village_code": self.village_code(cells),
            "entry_on": entry_on,
            "month": month,
            "year": year,
            "voucher_no": cells.text("凭证号", 40),
            "direction": direction,
            "category": category,
            "summary": cells.text("摘要", 200),
            "amount": cells.parse("金额", positive_amount),
            "counterparty": cells.text("对方单位", 100, required=False),
            "link_code": cells.text("关联编号", 40, required=False),
        }

    def _entry_on(self, cells: Cells) -> date | None:
        entry_on = cells.parse("日期", parse_date, self._dates)
        if entry_on and self.period and self._month_of(entry_on)[0] != self.period:
            cells.bad("日期", f"不在本次公开的月份（{self.period}）内")
            return None
        return entry_on

    def _month_of(self, day: date) -> tuple[str, int]:
        found = self._months.get(day)
        if found is None:
            found = self._months[day] = (f"{day.year:04d}-{day.month:02d}", day.year)
        return found

    def keep(self, row: dict) -> None:
        village, number = row["village_code"], row["row_number"]
        if village and row["year"] and row["voucher_no"]:
            self._vouchers.add((village, row["year"]), row["voucher_no"], number)
        if village and row["link_code"]:
            rows = self._links.get((village, row["link_code"]))
            if rows is None:
                rows = self._links[village, row["link_code"]] = array("I")
            rows.append(number)
        if village and row["direction"] == OPENING:
            self._openings.add((village,), OPENING.value, number)

    def check(self, findings: Findings, bad_villages: set[str]) -> None:
        self._check_vouchers(findings, bad_villages)
        self._check_links(findings, bad_villages)
        self._check_openings(findings, bad_villages)

    def _check_openings(self, findings: Findings, bad_villages: set[str]) -> None:
        """One live 期初余额 per village: a second would count the village's money twice."""
        if not self._openings.groups:
            return

        def report(number: int, group: tuple, key: str, earlier: int | None) -> None:
            reason = (
                f"期初余额与第{earlier}行重复（每个村只有一个期初余额）"
                if earlier
                else "本村已上报过期初余额；要改请对那一行提交更正"
            )
            findings.error(number, "收支", OPENING.label, reason)

        villages = sorted({village for (village,) in self._openings.groups} - bad_villages)
        stored = set()
        for part in chunks(villages):
            query = live_rows(
                LedgerEntry, LedgerEntry.village_code, LedgerEntry.direction, villages=part, excluding=self.replacing
            ).where(LedgerEntry.direction == OPENING)
            stored |= {((village,), OPENING.value) for village, _ in db.session.execute(query)}
        self._openings.report(stored, bad_villages, report)

    def _check_vouchers(self, findings: Findings, bad_villages: set[str]) -> None:
        """凭证号 unique per village and year, in the file and against live stored rows."""

        def report(number: int, group: tuple, voucher: str, earlier: int | None) -> None:
            reason = (
                f"凭证号与第{earlier}行重复（同村同年不能重复）"
                if earlier
                else f"凭证号在本村{group[1]}年已上报的数据中已经用过"
            )
            findings.error(number, "凭证号", voucher, reason)

        self._vouchers.report(self._stored_vouchers(bad_villages), bad_villages, report)

    def _stored_vouchers(self, bad_villages: set[str]) -> set[tuple]:
        """The file's (village, year) and 凭证号 that live stored rows already use."""
        groups = self._vouchers.groups
        villages = {village for village, _ in groups} - bad_villages
        years = sorted({year for _, year in groups})
        found: set[tuple] = set()
        columns = (LedgerEntry.village_code, LedgerEntry.year, LedgerEntry.voucher_no)
        for part in chunks(villages):
            query = live_rows(LedgerEntry, *columns, villages=part, excluding=self.replacing).where(
                LedgerEntry.year.in_(years)
            )
            found |= stored_keys(query, self._vouchers)
        return found

    def _check_links(self, findings: Findings, bad_villages: set[str]) -> None:
        """关联编号 names a live project or contract of the same village."""
        linked = {key: rows for key, rows in self._links.items() if key[0] not in bad_villages}
        if not linked:
            return
        known = _stored_links({village for village, _ in linked})
        for (village, code), rows in linked.items():
            if (village, code) not in known:
                for number in rows:
                    findings.error(number, "关联编号", code, "不是本村已上报的项目编号或合同编号")


def _stored_links(villages: set[str]) -> set[tuple[str, str]]:
    """(village, code) of every live project and contract of these villages."""
    known: set[tuple[str, str]] = set()
    for part in chunks(villages):
        projects = live_rows(ProjectUpdate, ProjectUpdate.village_code, ProjectUpdate.project_no, villages=part)
        contracts = live_rows(Contract, Contract.village_code, Contract.contract_no, villages=part)
        known.update(map(tuple, db.session.execute(projects.union(contracts))))
    return known
