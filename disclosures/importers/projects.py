"""The projects template (村级项目建设进度): each row a dated progress update of one project."""

from datetime import date
from decimal import Decimal, InvalidOperation

from core.extensions import db
from core.tabular import TableSpec, cell_text, check_uscc, parse_date
from core.tabular.cells import normalise
from disclosures.importers.rows import Cells, Findings, amount_parser
from disclosures.importers.stored import UniqueKeys, chunks, live_rows
from disclosures.importers.template import Template
from disclosures.models import Kind, ProjectUpdate

COLUMNS = (
    "村代码",
    "项目编号",
    "项目名称",
    "项目类型",
    "预算金额",
    "资金来源",
    "承建单位",
    "承建单位信用代码",
    "批复日期",
    "开工日期",
    "计划完工日期",
    "进度",
    "累计支付",
    "状态",
    "更新日期",
    "说明",
)
SPEC = TableSpec(
    required=("村代码", "项目编号", "项目名称", "项目类型", "预算金额", "进度", "累计支付", "状态", "更新日期"),
    optional=("资金来源", "承建单位", "承建单位信用代码", "批复日期", "开工日期", "计划完工日期", "说明"),
    amounts=("预算金额", "累计支付"),
)
STATUSES = ("未开工", "在建", "已完工", "已验收", "暂停")
# What identifies a project: changed only by a correction with a reason, never by an update.
FIXED = {"name": "项目名称", "project_type": "项目类型", "budget": "预算金额", "approved_on": "批复日期"}
KEPT = ("row_number", "village_code", "project_no", *FIXED)
PROGRESS_REASON = "进度应为0到100的整数（百分比）"
positive_amount = amount_parser(allow_zero=False)
nonnegative_amount = amount_parser(allow_zero=True)


def parse_progress(value: object) -> int:
    """进度 as a whole percentage 0–100; '87%' is fine, 0.87 (a percent-formatted cell) is not."""
    text = normalise(cell_text(value)).removesuffix("%").strip()
    if not text:
        raise ValueError("不能为空")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueError(PROGRESS_REASON) from None
    if not number.is_finite() or number != number.to_integral_value() or not 0 <= number <= 100:
        raise ValueError(PROGRESS_REASON)
    return int(number)


class ProjectsTemplate(Template):
    """项目进度: 项目编号 once per village in a file; a stored project's identity cannot change."""

    kind = Kind.PROJECTS
    columns = COLUMNS
    spec = SPEC

    def __init__(self, period: str | None, replacing: frozenset[int] = frozenset()):
        super().__init__(period, replacing)
        self._statuses = {status: status for status in STATUSES}
        self._numbers = UniqueKeys()  # per village: 项目编号 → first row
        # What identifies each project, row by row (project files are small).
        self._identities: list[dict] = []

    def parse(self, cells: Cells) -> dict:
        start_on = cells.optional("开工日期", parse_date)
        return {
            "row_number": cells.number,
            "village_code": self.village_code(cells),
            "project_no": cells.text("项目编号", 40),
            "name": cells.text("项目名称", 100),
            "project_type": cells.text("项目类型", 16),
            "budget": cells.parse("预算金额", positive_amount),
            "funding_source": cells.text("资金来源", 100, required=False),
            "contractor": cells.text("承建单位", 100, required=False),
            "contractor_uscc": cells.confirmable("承建单位信用代码", check_uscc),
            "approved_on": cells.optional("批复日期", parse_date),
            "start_on": start_on,
            "planned_end_on": _planned_end(cells, start_on),
            "progress": cells.parse("进度", parse_progress),
            "paid_total": cells.parse("累计支付", nonnegative_amount),
            "status": cells.choice("状态", self._statuses, "状态应为：" + "、".join(STATUSES)),
            "updated_on": cells.parse("更新日期", parse_date),
            "note": cells.text("说明", None, required=False),
        }

    def keep(self, row: dict) -> None:
        if row["village_code"] and row["project_no"]:
            self._numbers.add((row["village_code"],), row["project_no"], row["row_number"])
        if not self.replacing:
            self._identities.append({name: row[name] for name in KEPT})

    def check(self, findings: Findings, bad_villages: set[str]) -> None:
        def report(number: int, _group: tuple, project_no: str, earlier: int | None) -> None:
            findings.error(
                number, "项目编号", project_no, f"项目编号与第{earlier}行重复（同一文件中每个项目只能有一行）"
            )

        self._numbers.report(set(), bad_villages, report)
        # A correction with a reason is the one way to change what identifies a project.
        if not self.replacing:
            _check_fixed([row for row in self._identities if row["village_code"] not in bad_villages], findings)


def _planned_end(cells: Cells, start_on: date | None) -> date | None:
    planned = cells.optional("计划完工日期", parse_date)
    if planned and start_on and planned < start_on:
        cells.bad("计划完工日期", "计划完工日期不能早于开工日期")
        return None
    return planned


def _stored_projects(villages: set[str]) -> dict[tuple[str, str], tuple]:
    """Each live project's identifying values, as its earliest stored update has them."""
    columns = (ProjectUpdate.village_code, ProjectUpdate.project_no, *(getattr(ProjectUpdate, name) for name in FIXED))
    found: dict[tuple[str, str], tuple] = {}
    for part in chunks(villages):
        query = live_rows(ProjectUpdate, *columns, villages=part).order_by(ProjectUpdate.updated_on, ProjectUpdate.id)
        for village, number, *values in db.session.execute(query):
            found.setdefault((village, number), tuple(values))
    return found


def _shown(value: object) -> str:
    return cell_text(value) if value is not None else "空"


def _check_fixed(rows: list[dict], findings: Findings) -> None:
    """An update may not change a stored project's name, type, budget or approval date."""
    stored = _stored_projects({row["village_code"] for row in rows} - {None})
    reported = findings.reported_cells()
    for row in rows:
        before = stored.get((row["village_code"], row["project_no"]))
        if before is None:
            continue
        for (name, column), old in zip(FIXED.items(), before):
            # None is a bad cell (already reported) or an empty 批复日期 (a change like any other).
            if row[name] is None and (row["row_number"], column) in reported:
                continue
            if row[name] != old:
                findings.error(
                    row["row_number"],
                    column,
                    row[name],
                    f"与已上报的该项目不一致（原为「{_shown(old)}」），只能通过更正修改",
                )
