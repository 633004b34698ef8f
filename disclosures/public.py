"""What of the disclosed record the public sees: which rows, and which of their columns.

A row is public when its batch was published and it is current: not replaced by a correction and
not withdrawn. Every public page, download, PDF, complaint form and cross-check rule asks here, so
the condition and the column whitelist cannot drift apart between them.
"""

from sqlalchemy import ColumnElement, Select, and_, select

from disclosures.models import Batch, Kind, ProjectUpdate

# The public columns of each kind, in the order a villager reads them. ID numbers, bank accounts
# and party IDs are absent on purpose: nothing built from this list may ever print them.
PUBLIC_FIELDS: dict[Kind, list[tuple[str, str]]] = {
    Kind.LEDGER: [
        ("entry_on", "日期"),
        ("voucher_no", "凭证号"),
        ("direction", "收支"),
        ("category", "科目"),
        ("summary", "摘要"),
        ("amount", "金额（元）"),
        ("counterparty", "对方单位"),
        ("link_code", "关联编号"),
    ],
    Kind.SUBSIDIES: [
        ("item", "补贴项目"),
        ("month", "发放年月"),
        ("name", "姓名"),
        ("public_ref", "公开编号"),
        ("amount", "金额（元）"),
        ("paid_on", "发放日期"),
    ],
    Kind.PROJECTS: [
        ("project_no", "项目编号"),
        ("name", "项目名称"),
        ("project_type", "项目类型"),
        ("budget", "预算金额（元）"),
        ("funding_source", "资金来源"),
        ("contractor", "承建单位"),
        ("approved_on", "批复日期"),
        ("start_on", "开工日期"),
        ("planned_end_on", "计划完工日期"),
        ("progress", "进度（%）"),
        ("paid_total", "累计支付（元）"),
        ("status", "状态"),
        ("updated_on", "更新日期"),
        ("note", "说明"),
    ],
    Kind.CONTRACTS: [
        ("contract_no", "合同编号"),
        ("subject", "标的名称"),
        ("category", "类别"),
        ("party", "承包方"),
        ("start_on", "起始日期"),
        ("end_on", "终止日期"),
        ("annual_rent", "年租金（元）"),
        ("pay_cycle", "缴费周期"),
    ],
}


def public_fields(kind: Kind, names: tuple[str, ...]) -> list[tuple[str, str]]:
    """A chosen part of the whitelist, in its order: only public columns can be chosen."""
    fields = [field for field in PUBLIC_FIELDS[kind] if field[0] in names]
    if unknown := set(names) - {name for name, _label in fields}:
        raise ValueError(f"not public columns of {kind.value}: {sorted(unknown)}")
    return fields


def is_current(model) -> ColumnElement[bool]:
    """A stored row that still counts: not replaced by a correction and not withdrawn."""
    return and_(model.superseded_by_batch_id.is_(None), model.withdrawn.is_(False))


def is_public(model) -> ColumnElement[bool]:
    """A row anyone may see: published and current."""
    return and_(model.published.is_(True), is_current(model))


def newest_update_first() -> tuple:
    """Project updates in reading order (docs/import-templates.md): the latest 更新日期 first;
    on a tie, the later upload. Needs the query joined to Batch."""
    return (ProjectUpdate.updated_on.desc(), Batch.sequence.desc(), ProjectUpdate.id.desc())


def project_history(village_code: str, project_no: str) -> Select:
    """A project's public updates, latest first: the first is the project as it stands."""
    return (
        select(ProjectUpdate)
        .join(Batch, Batch.id == ProjectUpdate.batch_id)
        .where(
            ProjectUpdate.village_code == village_code, is_public(ProjectUpdate), ProjectUpdate.project_no == project_no
        )
        .order_by(*newest_update_first())
    )
