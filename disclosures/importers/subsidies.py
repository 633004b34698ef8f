"""The subsidies template (惠民惠农补贴发放名册): one row per payment to one person."""

from functools import partial

from sqlalchemy import select

from core.extensions import db
from core.tabular import TableSpec, check_id_number, parse_date, parse_digits, parse_month, parse_person_name
from disclosures.importers.rows import Cells, amount_parser
from disclosures.importers.template import Template
from disclosures.models import Kind, SubsidyItem

COLUMNS = ("村代码", "补贴项目", "发放年月", "姓名", "身份证号", "金额", "发放日期", "银行账号")
SPEC = TableSpec(required=COLUMNS[:7], optional=COLUMNS[7:], amounts=("金额",))
positive_amount = amount_parser(allow_zero=False)
parse_account = partial(parse_digits, length=(12, 19))


class SubsidiesTemplate(Template):
    """补贴发放: well-formed rows only; repeats and excesses are for the rules to find."""

    kind = Kind.SUBSIDIES
    columns = COLUMNS
    spec = SPEC

    def __init__(self, period: str | None, replacing: frozenset[int] = frozenset()):
        super().__init__(period, replacing)
        self._items: dict[str, str] = {}
        self._caches: dict[str, dict] = {"发放年月": {}, "发放日期": {}}

    def prepare(self) -> None:
        # The list is data: administrators add items.
        self._items = {name: name for name in db.session.scalars(select(SubsidyItem.name))}

    def parse(self, cells: Cells) -> dict:
        caches = self._caches
        return {
            "row_number": cells.number,
            "village_code": self.village_code(cells),
            "item": cells.choice("补贴项目", self._items, "不是系统中登记的补贴项目"),
            "month": cells.parse("发放年月", parse_month, caches["发放年月"]),
            "name": cells.parse("姓名", parse_person_name),
            "id_number": cells.confirmable("身份证号", check_id_number, required=True),
            "amount": cells.parse("金额", positive_amount),
            "paid_on": cells.parse("发放日期", parse_date, caches["发放日期"]),
            "account": cells.optional("银行账号", parse_account),
        }
