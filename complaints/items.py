"""The disclosed item a complaint questions: its public values for the form, and the snapshot
kept with the complaint. Only what the public pages show; subsidy recipients' names masked."""
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select

from core.extensions import db
from core.privacy import mask_name
from core.web import LARGEST_ID
from complaints.models import Category
from disclosures.models import ROW_MODELS, Kind

DIRECTIONS = {"income": "收入", "expense": "支出"}
CATEGORY_OF = {Kind.LEDGER: Category.FUNDS, Kind.SUBSIDIES: Category.SUBSIDY,
               Kind.PROJECTS: Category.PROJECT, Kind.CONTRACTS: Category.ASSET}
# (column, label) of each kind, in the order a villager reads them. No ID number, bank account
# or party ID is listed, so none can leak into a form or a snapshot.
COLUMNS = {
    Kind.LEDGER: [("entry_on", "日期"), ("voucher_no", "凭证号"), ("direction", "收支"), ("category", "科目"),
                  ("summary", "摘要"), ("amount", "金额（元）"), ("counterparty", "对方单位")],
    Kind.SUBSIDIES: [("item", "补贴项目"), ("month", "发放年月"), ("name", "姓名"), ("public_ref", "公开编号"),
                     ("amount", "金额（元）"), ("paid_on", "发放日期")],
    Kind.PROJECTS: [("project_no", "项目编号"), ("name", "项目名称"), ("budget", "预算（元）"),
                    ("contractor", "承建单位"), ("progress", "进度（%）"), ("paid_total", "累计支付（元）"),
                    ("status", "状态"), ("updated_on", "更新日期")],
    Kind.CONTRACTS: [("contract_no", "合同编号"), ("subject", "标的名称"), ("party", "承包方"),
                     ("start_on", "起始日期"), ("end_on", "终止日期"), ("annual_rent", "年租金（元）")],
}


@dataclass(frozen=True)
class QuestionedItem:
    kind: Kind
    row_id: int
    values: list[tuple[str, str]]

    @property
    def label(self) -> str:
        return self.kind.label

    @property
    def category(self) -> Category:
        return CATEGORY_OF[self.kind]

    @property
    def summary(self) -> str:
        """One line for the complaint record: what the villager saw when they asked."""
        return f"{self.kind.label}：" + "；".join(f"{label} {value}" for label, value in self.values if value)

    @property
    def snapshot(self) -> tuple[str, int, str]:
        return self.kind.value, self.row_id, self.summary


def find_item(village_code: str, ref: str) -> QuestionedItem | None:
    """`ledger:123` → the village's current public row, described; None for anything else."""
    kind_name, _, row_id = (ref or "").partition(":")
    if kind_name not in {kind.value for kind in Kind} or not row_id.isdigit() or int(row_id) > LARGEST_ID:
        return None
    kind = Kind(kind_name)
    model = ROW_MODELS[kind]
    row = db.session.scalar(select(model).where(
        model.id == int(row_id), model.village_code == village_code, model.published.is_(True),
        model.superseded_by_batch_id.is_(None), model.withdrawn.is_(False)))
    if row is None:
        return None
    values = [(label, _text(kind, name, getattr(row, name))) for name, label in COLUMNS[kind]]
    return QuestionedItem(kind, row.id, values)


def _text(kind: Kind, name: str, value) -> str:
    if value is None or value == "":
        return ""
    if kind is Kind.SUBSIDIES and name == "name":
        return mask_name(value)
    if name == "direction":
        return DIRECTIONS.get(value, value)
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    return str(value)
