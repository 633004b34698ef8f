"""A published row as the template's columns, for the correction form, and back through the
same validation an upload gets."""

from core.audit import record_audit
from core.extensions import db
from core.fields import field_cipher
from core.formatting import plain_text
from core.users.models import User
from disclosures import queries
from disclosures.importers import validate_rows
from disclosures.models import Direction, Kind

# Template column → how to read it from a stored row (a row attribute, or a function).
COLUMNS = {
    Kind.LEDGER: {
        "日期": "entry_on",
        "凭证号": "voucher_no",
        "收支": lambda r: Direction.label_of(r.direction),
        "科目": "category",
        "摘要": "summary",
        "金额": "amount",
        "对方单位": "counterparty",
        "关联编号": "link_code",
    },
    Kind.SUBSIDIES: {
        "补贴项目": "item",
        "发放年月": "month",
        "姓名": "name",
        "身份证号": lambda r: field_cipher().decrypt(r.id_cipher),
        "金额": "amount",
        "发放日期": "paid_on",
        "银行账号": lambda r: field_cipher().decrypt(r.account_cipher) if r.account_cipher else "",
    },
    Kind.PROJECTS: {
        "项目编号": "project_no",
        "项目名称": "name",
        "项目类型": "project_type",
        "预算金额": "budget",
        "资金来源": "funding_source",
        "承建单位": "contractor",
        "承建单位信用代码": "contractor_uscc",
        "批复日期": "approved_on",
        "开工日期": "start_on",
        "计划完工日期": "planned_end_on",
        "进度": "progress",
        "累计支付": "paid_total",
        "状态": "status",
        "更新日期": "updated_on",
        "说明": "note",
    },
    Kind.CONTRACTS: {
        "合同编号": "contract_no",
        "标的名称": "subject",
        "类别": "category",
        "承包方": "party",
        "承包方证件号": lambda r: field_cipher().decrypt(r.party_id_cipher) if r.party_id_cipher else "",
        "起始日期": "start_on",
        "终止日期": "end_on",
        "年租金": "annual_rent",
        "缴费周期": "pay_cycle",
    },
}
# Editing these would make a different record, not a corrected one.
FIXED = {"凭证号", "项目编号", "合同编号"}
PERSONAL = {"身份证号", "银行账号", "承包方证件号"}


def column_values(kind: Kind, row, *, viewer: User) -> dict[str, str]:
    """The row's current values under the template's column names; decrypting personal fields
    is a reveal, so it is audited."""
    values = {}
    for column, source in COLUMNS[kind].items():
        values[column] = plain_text(source(row) if callable(source) else getattr(row, source))
    if PERSONAL & COLUMNS[kind].keys():
        record_audit(
            "disclosure.reveal",
            target_type=kind.value,
            target_id=row.id,
            actor=viewer,
            detail={"purpose": "correction form"},
        )
        db.session.commit()
    return values


class Unconfirmed(Exception):
    """The corrected row is sound but has warnings the accountant has not yet confirmed."""

    def __init__(self, warnings: list[str]):
        super().__init__(warnings)
        self.warnings = warnings


def correction_values(kind: Kind, row, form: dict, user: User, *, accept_warnings: bool = False) -> dict:
    """Validate the corrected columns like an uploaded row; return the row dict, or raise Rejected
    (bad cells) or Unconfirmed (warnings not confirmed)."""
    current = column_values(kind, row, viewer=user)
    cells = {column: (current[column] if column in FIXED else form.get(column, "")) for column in COLUMNS[kind]}
    cells["村代码"] = row.village_code
    parsed = validate_rows(kind, [cells], villages=queries.writable_village_codes(user), replacing={row.id})
    if parsed.warnings and not accept_warnings:
        raise Unconfirmed(parsed.warnings)
    return parsed.batches[0].rows[0]
