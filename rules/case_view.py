"""What a warning's case page shows beside the case: the rule, the subject, and the evidence rows
with links to the disclosed batch or the roster version they come from."""

from collections import defaultdict
from dataclasses import dataclass

from flask import url_for
from sqlalchemy import select

from complaints.models import Channel, Complaint
from core.extensions import db
from core.privacy import mask_name
from core.users.models import User
from disclosures.models import Contract, Direction, LedgerEntry, ProjectUpdate, SubsidyPayment
from rules.cases import GRADE_LABELS, subject_display
from rules.export import subject_of
from rules.models import RuleEvidence, RuleWarning
from rules.permissions import can_manage_rosters
from rules.rosters.models import CadreEntry, DeceasedPerson, PublicEmployee, SubsidyStandard

EVIDENCE_SHOWN = 200
DISCLOSED = {
    "subsidy_payments": SubsidyPayment,
    "ledger_entries": LedgerEntry,
    "project_updates": ProjectUpdate,
    "contracts": Contract,
}
ROSTERS = {
    "roster_deceased": DeceasedPerson,
    "roster_public_employees": PublicEmployee,
    "roster_cadres": CadreEntry,
    "roster_standards": SubsidyStandard,
}


@dataclass(frozen=True)
class Evidence:
    label: str
    text: str
    url: str | None


@dataclass(frozen=True)
class WarningPanel:
    warning: RuleWarning
    title: str
    grade: str
    subject_label: str
    subject: str
    previous: Complaint | None
    evidence: list[Evidence]
    evidence_total: int


def _describe(source: str, row) -> tuple[str, str]:
    if source == "subsidy_payments":
        return (
            "补贴发放",
            f"{row.month} {row.item} {row.amount:,.2f} 元（{mask_name(row.name)}，发放日期 {row.paid_on}）",
        )
    if source == "ledger_entries":
        direction = Direction.label_of(row.direction)
        return (
            "收支明细",
            f"{row.entry_on} {direction} {row.category} {row.amount:,.2f} 元 {row.counterparty} {row.summary}",
        )
    if source == "project_updates":
        return "项目进度", (
            f"{row.project_no} {row.name}：预算 {row.budget:,.2f} 元，累计支付 {row.paid_total:,.2f} 元，"
            f"批复日期 {row.approved_on or '—'}，更新于 {row.updated_on}"
        )
    if source == "contracts":
        return (
            "资产资源合同",
            f"{row.contract_no} {row.subject}：{row.start_on} 至 {row.end_on}，年租金 {row.annual_rent:,.2f} 元，按{row.pay_cycle}缴",
        )
    if source == "roster_deceased":
        return "死亡人员名单", f"{mask_name(row.name)}，死亡日期 {row.died_on}"
    if source == "roster_public_employees":
        return "财政供养人员名单", f"{mask_name(row.name)}，{row.employer} {row.category}"
    if source == "roster_cadres":
        return "村干部及近亲属", f"{mask_name(row.name)}，{row.post or row.relation}（村代码 {row.village_code}）"
    return "补贴标准", f"{row.item} 自 {row.from_month} 每期最高 {row.max_amount:,.2f} 元"


def _link(source: str, row, user: User) -> str | None:
    if source in DISCLOSED:
        return url_for("disclosures.batch", batch_id=row.batch_id)
    return url_for("rules.roster_version", version_id=row.version_id) if can_manage_rosters(user) else None


def _evidence(warning: RuleWarning, user: User) -> list[Evidence]:
    pairs = db.session.execute(
        select(RuleEvidence.source, RuleEvidence.row_id)
        .where(RuleEvidence.warning_id == warning.id)
        .order_by(RuleEvidence.source, RuleEvidence.row_id)
        .limit(EVIDENCE_SHOWN)
    ).all()
    by_source: dict[str, list[int]] = defaultdict(list)
    for source, row_id in pairs:
        by_source[source].append(row_id)
    found = []
    for source, ids in by_source.items():
        model = DISCLOSED.get(source) or ROSTERS[source]
        for row in db.session.scalars(select(model).where(model.id.in_(ids)).order_by(model.id)):
            label, text = _describe(source, row)
            found.append(Evidence(label, text, _link(source, row, user)))
    return found


def warning_panel(case: Complaint, user: User) -> WarningPanel | None:
    """The warning behind a case of channel 预警 (None for any other case)."""
    if case.channel != Channel.WARNING:
        return None
    from rules.runs import active_rules

    warning = db.session.scalar(select(RuleWarning).where(RuleWarning.complaint_id == case.id))
    if warning is None:
        return None
    rule = active_rules().get(warning.rule_code)
    previous = db.session.get(RuleWarning, warning.previous_id) if warning.previous_id else None
    total = db.session.scalar(select(db.func.count()).where(RuleEvidence.warning_id == warning.id))
    return WarningPanel(
        warning,
        rule.title if rule else warning.rule_code,
        GRADE_LABELS.get(warning.grade, ""),
        rule.subject if rule else "",
        subject_display(subject_of(warning), bool(warning.subject_cipher)),
        previous.complaint if previous else None,
        _evidence(warning, user),
        total,
    )
