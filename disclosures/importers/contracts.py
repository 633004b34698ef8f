"""The contracts template (集体资产资源发包租赁合同): one row per lease of collective property."""

from datetime import date

from core.tabular import TableSpec, Truncated, check_id_number, check_uscc, parse_date
from disclosures.importers.rows import Cells, Findings, amount_parser
from disclosures.importers.stored import UniqueKeys, chunks, live_rows, stored_keys
from disclosures.importers.template import Template
from disclosures.models import Contract, Kind

COLUMNS = (
    "村代码",
    "合同编号",
    "标的名称",
    "类别",
    "承包方",
    "承包方证件号",
    "起始日期",
    "终止日期",
    "年租金",
    "缴费周期",
)
SPEC = TableSpec(
    required=("村代码", "合同编号", "标的名称", "类别", "承包方", "起始日期", "终止日期", "年租金", "缴费周期"),
    optional=("承包方证件号",),
    amounts=("年租金",),
)
CATEGORIES = {"资产": "资产", "资源": "资源"}
PAY_CYCLES = {"年": "年", "半年": "半年", "季": "季", "月": "月"}
NOT_ID_NOR_USCC = "应为18位身份证号或统一社会信用代码"
nonnegative_amount = amount_parser(allow_zero=True)


def parse_party_id(value: object) -> tuple[str, str | None]:
    """An ID number if it passes that check, else a 统一社会信用代码 (check character: a warning);
    an ID Excel cut is reported as such unless the value is a sound 统一社会信用代码."""
    cut = None
    try:
        return check_id_number(value)
    except Truncated as error:
        cut = error
    except ValueError:
        pass
    try:
        code, warning = check_uscc(value)
    except ValueError:
        raise cut or ValueError(NOT_ID_NOR_USCC) from None
    if cut is not None and warning:
        raise cut
    return code, (f"不是有效的身份证号；按统一社会信用代码，{warning}" if warning else None)


class ContractsTemplate(Template):
    """资产资源合同: 合同编号 unique per village, in the file and among stored contracts."""

    kind = Kind.CONTRACTS
    columns = COLUMNS
    spec = SPEC

    def __init__(self, period: str | None, replacing: frozenset[int] = frozenset()):
        super().__init__(period, replacing)
        self._numbers = UniqueKeys()  # per village: 合同编号 → first row

    def parse(self, cells: Cells) -> dict:
        start_on = cells.parse("起始日期", parse_date)
        return {
            "row_number": cells.number,
            "village_code": self.village_code(cells),
            "contract_no": cells.text("合同编号", 40),
            "subject": cells.text("标的名称", 100),
            "category": cells.choice("类别", CATEGORIES, "应为 资产 或 资源"),
            "party": cells.text("承包方", 100),
            "party_id": cells.confirmable("承包方证件号", parse_party_id),
            "start_on": start_on,
            "end_on": _end_on(cells, start_on),
            "annual_rent": cells.parse("年租金", nonnegative_amount),
            "pay_cycle": cells.choice("缴费周期", PAY_CYCLES, "应为 年、半年、季 或 月"),
        }

    def keep(self, row: dict) -> None:
        if row["village_code"] and row["contract_no"]:
            self._numbers.add((row["village_code"],), row["contract_no"], row["row_number"])

    def check(self, findings: Findings, bad_villages: set[str]) -> None:
        def report(number: int, _group: tuple, contract_no: str, earlier: int | None) -> None:
            reason = f"合同编号与第{earlier}行重复" if earlier else "合同编号在本村已上报的合同中已经用过"
            findings.error(number, "合同编号", contract_no, reason)

        self._numbers.report(self._stored(bad_villages), bad_villages, report)

    def _stored(self, bad_villages: set[str]) -> set[tuple]:
        """The file's 合同编号 that live stored contracts of the same village already use."""
        found: set[tuple] = set()
        for part in chunks({village for (village,) in self._numbers.groups} - bad_villages):
            query = live_rows(
                Contract, Contract.village_code, Contract.contract_no, villages=part, excluding=self.replacing
            )
            found |= stored_keys(query, self._numbers)
        return found


def _end_on(cells: Cells, start_on: date | None) -> date | None:
    end_on = cells.parse("终止日期", parse_date)
    if end_on and start_on and end_on <= start_on:
        cells.bad("终止日期", "终止日期应晚于起始日期")
        return None
    return end_on
