"""The four roster templates (DATA.md "Reference rosters"), checked by the disclosure importers'
machinery: the same reader, cell parsers, Chinese row errors and all-or-nothing rule."""

from sqlalchemy import select

from core.extensions import db
from core.tabular import TableSpec, parse_date, parse_id_number, parse_month
from disclosures.importers.rows import Cells, Findings, amount_parser
from disclosures.importers.template import Template
from disclosures.importers.villages import parse_village_code
from disclosures.models import SubsidyItem
from rules.rosters.models import RosterKind

REPEATED_ID = "身份证号在本文件中重复"
positive_amount = amount_parser(allow_zero=False)


class RosterTemplate(Template):
    """A roster: one version per file, no batches; rows that repeat a key are reported."""

    kind: RosterKind
    key_column = "身份证号"
    key_reason = REPEATED_ID

    def __init__(self) -> None:
        super().__init__(None)
        self._first: dict[tuple, int] = {}
        self._repeats: list[tuple[int, object]] = []

    def key(self, row: dict) -> tuple | None:
        """What must be unique in the file (None when a cell of it was bad)."""
        return (row["id_number"],) if row["id_number"] else None

    def keep(self, row: dict) -> None:
        key = self.key(row)
        if key is None:
            return
        first = self._first.setdefault(key, row["row_number"])
        if first != row["row_number"]:
            self._repeats.append((row["row_number"], key[-1]))

    def check(self, findings: Findings, bad_villages: set[str]) -> None:
        for number, value in self._repeats:
            findings.error(number, self.key_column, value, self.key_reason)

    def batch_key(self, row: dict) -> tuple[str, str | None]:
        return "", None


class DeceasedTemplate(RosterTemplate):
    kind = RosterKind.DECEASED
    columns = ("姓名", "身份证号", "死亡日期")
    spec = TableSpec(required=columns)

    def parse(self, cells: Cells) -> dict:
        died_on = cells.parse("死亡日期", parse_date)
        return {
            "row_number": cells.number,
            "name": cells.text("姓名", 64),
            "id_number": cells.parse("身份证号", parse_id_number),
            "died_on": died_on,
            "died_month": died_on.strftime("%Y-%m") if died_on else None,
        }


EMPLOYEE_CATEGORIES = {word: word for word in ("公务员", "事业编制", "国企", "其他")}


class PublicEmployeesTemplate(RosterTemplate):
    kind = RosterKind.PUBLIC_EMPLOYEES
    columns = ("姓名", "身份证号", "工作单位", "人员类别")
    spec = TableSpec(required=("姓名", "身份证号", "人员类别"), optional=("工作单位",))

    def parse(self, cells: Cells) -> dict:
        return {
            "row_number": cells.number,
            "name": cells.text("姓名", 64),
            "id_number": cells.parse("身份证号", parse_id_number),
            "employer": cells.text("工作单位", 100, required=False),
            "category": cells.choice("人员类别", EMPLOYEE_CATEGORIES, "应为 公务员、事业编制、国企 或 其他"),
        }


RELATIONS = {word: word for word in ("本人", "配偶", "父母", "子女", "兄弟姐妹", "其他")}
SELF = "本人"


class CadresTemplate(RosterTemplate):
    """A cadre is a row with 关系 本人 and a 职务; a relative names its cadre of the same village."""

    kind = RosterKind.CADRES
    columns = ("村代码", "姓名", "身份证号", "职务", "关联干部身份证号", "关系")
    spec = TableSpec(required=("村代码", "姓名", "身份证号", "关系"), optional=("职务", "关联干部身份证号"))

    def __init__(self) -> None:
        super().__init__()
        self._villages: dict = {}
        self._cadres: set[tuple[str, str]] = set()
        self._links: list[tuple[int, str, str]] = []

    def parse(self, cells: Cells) -> dict:
        relation = cells.choice("关系", RELATIONS, "应为 本人、配偶、父母、子女、兄弟姐妹 或 其他")
        row = {
            "row_number": cells.number,
            "village_code": cells.parse("村代码", parse_village_code, self._villages),
            "name": cells.text("姓名", 64),
            "id_number": cells.parse("身份证号", parse_id_number),
            "post": cells.text("职务", 32, required=False),
            "cadre_id": None,
            "relation": relation,
        }
        if relation == SELF:
            if row["post"] == "":
                cells.bad("职务", "村干部本人应填写职务")
            if cells.raw("关联干部身份证号") is not None:
                cells.bad("关联干部身份证号", "村干部本人不填关联干部身份证号")
        elif relation is not None:
            if cells.raw("关联干部身份证号") is None:
                cells.bad("关联干部身份证号", "亲属应填写关联干部身份证号")
            else:
                row["cadre_id"] = cells.parse("关联干部身份证号", parse_id_number)
        return row

    def key(self, row: dict) -> tuple | None:
        # A person may be kin of two cadres, or of cadres in two villages: one row each.
        if not (row["village_code"] and row["id_number"] and row["relation"]):
            return None
        return row["village_code"], row["cadre_id"] or "", row["id_number"]

    def keep(self, row: dict) -> None:
        super().keep(row)
        if row["relation"] == SELF and row["village_code"] and row["id_number"]:
            self._cadres.add((row["village_code"], row["id_number"]))
        elif row["cadre_id"] and row["village_code"]:
            self._links.append((row["row_number"], row["village_code"], row["cadre_id"]))

    def check(self, findings: Findings, bad_villages: set[str]) -> None:
        super().check(findings, bad_villages)
        for number, village, cadre_id in self._links:
            if village not in bad_villages and (village, cadre_id) not in self._cadres:
                findings.error(number, "关联干部身份证号", cadre_id, "本文件中没有这位同村的村干部（关系为本人的行）")


class StandardsTemplate(RosterTemplate):
    kind = RosterKind.STANDARDS
    columns = ("补贴项目", "起始年月", "每期最高金额")
    spec = TableSpec(required=columns, amounts=("每期最高金额",))
    key_column = "起始年月"
    key_reason = "同一补贴项目的起始年月重复"

    def __init__(self) -> None:
        super().__init__()
        self._items: dict[str, str] = {}

    def prepare(self) -> None:
        self._items = {name: name for name in db.session.scalars(select(SubsidyItem.name))}

    def parse(self, cells: Cells) -> dict:
        return {
            "row_number": cells.number,
            "item": cells.choice("补贴项目", self._items, "不是系统中登记的补贴项目"),
            "from_month": cells.parse("起始年月", parse_month),
            "max_amount": cells.parse("每期最高金额", positive_amount),
        }

    def key(self, row: dict) -> tuple | None:
        return (row["item"], row["from_month"]) if row["item"] and row["from_month"] else None


ROSTER_TEMPLATES: dict[RosterKind, type[RosterTemplate]] = {
    RosterKind.DECEASED: DeceasedTemplate,
    RosterKind.PUBLIC_EMPLOYEES: PublicEmployeesTemplate,
    RosterKind.CADRES: CadresTemplate,
    RosterKind.STANDARDS: StandardsTemplate,
}
