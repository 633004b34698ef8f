"""Referrals to departments, clock extensions, and pausing for a complainant's material."""

from sqlalchemy import literal, select, update
from sqlalchemy.exc import IntegrityError

from admin.cases.actions import CaseError, actor_label, log_case, require_workable
from admin.cases.permissions import can_decide_requests
from admin.models import ClockExtension, Decision, Department, Referral
from complaints.clocks import _deadline, refresh_next_due, resume_working_clocks
from complaints.models import ClockKind, Complaint, Status
from complaints.services import add_event
from core.calendar.recompute import moved_deadlines, spans_touching
from core.calendar.workdays import working_deadline
from core.db import utcnow
from core.extensions import db
from core.fields import field_cipher
from core.settings import settings_for
from core.timezone import local_date
from core.users.models import User

MAX_LEGAL_EXTENSION_DAYS = 30
# A department gets at most as many working days again as the county's longest referral period
# is long by default (DEADLINES.md: 15 working days).
MAX_REFERRAL_EXTENSION_DAYS = 15


def _identity_words(case: Complaint) -> list[str]:
    if case.identity is None:
        return []
    cipher = field_cipher()
    return [cipher.decrypt(case.identity.name_cipher), cipher.decrypt(case.identity.phone_cipher)]


def refer(case: Complaint, department: Department, summary: str, *, by: User) -> Referral:
    """Send the case to a department with a summary that carries no complainant identity."""
    require_workable(case, by)
    summary = (summary or "").strip()
    if not summary:
        raise CaseError("请填写转办摘要")
    if any(word and word in summary for word in _identity_words(case)):
        raise CaseError("转办摘要不能包含反映人的姓名或电话")
    if not department.is_active or department.county_code[:6] != case.village_code[:6]:
        raise CaseError("请选择本县的部门")
    now = utcnow()
    days = settings_for(case.village_code).referral_working_days
    deadline = working_deadline(now, days)
    referral = Referral(
        complaint_id=case.id,
        department_id=department.id,
        summary=summary[:5000],
        sent_at=now,
        sent_by_id=by.id,
        working_days=days,
        due_at=deadline.at,
        provisional=deadline.is_provisional,
    )
    db.session.add(referral)
    add_event(case, "referred", public=True, body="已转交相关职能部门核查办理", actor=by, actor_label=actor_label(by))
    add_event(case, "referred_detail", public=False, body=f"转办：{department.name}", actor=by)
    log_case(case, "refer", by, department=department.name)
    db.session.commit()
    return referral


def record_referral_answer(referral: Referral, answer: str, *, by: User) -> None:
    """The department's answer, which meets the referral's clock."""
    case = db.session.get(Complaint, referral.complaint_id)
    require_workable(case, by, open_only=False)
    if referral.answered_at is not None:
        raise CaseError("已记录过部门答复")
    if not answer.strip():
        raise CaseError("请填写部门答复")
    referral.answered_at, referral.answer = utcnow(), answer.strip()[:5000]
    add_event(
        case, "referral_answer", public=False, body=f"{referral.department.name}答复：{referral.answer}", actor=by
    )
    log_case(case, "referral_answer", by, referral=referral.id)
    db.session.commit()


def recompute_referral_deadlines(years: frozenset[int]) -> int:
    """New deadlines for unanswered referrals whose span touches the changed years, as for the
    case's own clocks (complaints/clocks.py recompute_unmet)."""
    rows = db.session.execute(
        select(
            Referral.id,
            Referral.sent_at.label("starts_at"),
            (Referral.working_days + Referral.extension_days).label("amount"),
            literal("working").label("unit"),
            Referral.due_at,
            Referral.provisional,
        ).where(Referral.answered_at.is_(None), spans_touching(Referral.sent_at, Referral.due_at, years))
    ).all()
    moved = moved_deadlines(rows)
    if moved:
        db.session.execute(update(Referral), moved)
    db.session.commit()
    return len(moved)


def on_calendar_changed(sender, years: frozenset[int]) -> None:
    recompute_referral_deadlines(frozenset(years))


def request_extension(case: Complaint, days: int, reason: str, *, by: User) -> ClockExtension:
    """Ask a lead to extend the statutory limit (once, at most 30 days); the reason becomes public."""
    require_workable(case, by)
    legal = case.clock(ClockKind.LEGAL)
    if legal is None or legal.met_at is not None:
        raise CaseError("案件受理（首次答复）后才能申请延期")
    if legal.extension_days or _pending(ClockExtension.clock_id == legal.id):
        raise CaseError("办理期限只能延长一次")
    if not 1 <= days <= MAX_LEGAL_EXTENSION_DAYS or not reason.strip():
        raise CaseError("延期天数为1至30天，并须写明理由")
    return _ask_extension(case, days, reason, by, clock_id=legal.id)


def request_referral_extension(referral: Referral, days: int, reason: str, *, by: User) -> ClockExtension:
    """Ask a lead to give a department more working days to answer (once per referral, at most
    15); the reason becomes public."""
    case = db.session.get(Complaint, referral.complaint_id)
    require_workable(case, by)
    if referral.answered_at is not None:
        raise CaseError("部门已经答复，不需要延期")
    if referral.extension_days or _pending(ClockExtension.referral_id == referral.id):
        raise CaseError("转办答复期限只能延长一次")
    if not 1 <= days <= MAX_REFERRAL_EXTENSION_DAYS or not reason.strip():
        raise CaseError("延期为1至15个工作日，并须写明理由")
    return _ask_extension(case, days, reason, by, referral_id=referral.id)


def _pending(target) -> bool:
    return (
        db.session.scalar(select(ClockExtension.id).where(target, ClockExtension.status == Decision.PENDING).limit(1))
        is not None
    )


def _ask_extension(case: Complaint, days: int, reason: str, by: User, **target) -> ClockExtension:
    extension = ClockExtension(
        complaint_id=case.id, days=days, reason=reason.strip()[:1000], requested_by_id=by.id, **target
    )
    db.session.add(extension)
    try:
        db.session.flush()
    except IntegrityError:  # a request for the same clock came in meanwhile (one pending per clock)
        db.session.rollback()
        raise CaseError("已有一项延期申请等待审批") from None
    log_case(case, "extension_request", by, days=days, **target)
    db.session.commit()
    return extension


def decide_extension(extension: ClockExtension, approve: bool, *, by: User) -> None:
    """A lead (never the requester) approves or denies; approval moves the deadline."""
    case = db.session.get(Complaint, extension.complaint_id)
    if extension.requested_by_id == by.id:
        raise CaseError("不能审批自己的申请")
    if not can_decide_requests(by, case, local_date(utcnow())) or extension.status != Decision.PENDING:
        raise CaseError("您不能审批这项申请")
    extension.status = Decision.APPROVED if approve else Decision.DENIED
    extension.decided_by_id, extension.decided_at = by.id, utcnow()
    if approve and extension.referral_id is not None:
        _extend_referral(case, extension, by)
    elif approve:
        legal = case.clock(ClockKind.LEGAL)
        legal.extension_days, legal.extension_reason = extension.days, extension.reason
        deadline = _deadline(legal)
        legal.due_at, legal.provisional = deadline.at, deadline.is_provisional
        refresh_next_due(case)
        add_event(
            case,
            "extended",
            public=True,
            body=f"办理期限延长{extension.days}日。理由：{extension.reason}",
            actor=by,
            actor_label=actor_label(by),
        )
    log_case(case, "extension_decide", by, approved=approve)
    db.session.commit()


def _extend_referral(case: Complaint, extension: ClockExtension, by: User) -> None:
    """The department's answer period counts the extra working days from the day it was sent."""
    referral = extension.referral
    if referral.answered_at is not None:
        raise CaseError("部门已经答复，不需要延期；请选择不批准")
    referral.extension_days = extension.days
    deadline = working_deadline(referral.sent_at, referral.working_days + referral.extension_days)
    referral.due_at, referral.provisional = deadline.at, deadline.is_provisional
    # The department stays unnamed in public, as when the case was referred.
    add_event(
        case,
        "referral_extended",
        public=True,
        actor=by,
        actor_label=actor_label(by),
        body=f"转办部门的答复期限延长{extension.days}个工作日。理由：{extension.reason}",
    )


def material_received(case: Complaint, *, by: User) -> None:
    """The complainant's material arrived: work resumes (clocks restart only where pausing is on)."""
    require_workable(case, by)
    if case.status != Status.AWAITING_INFO:
        raise CaseError("案件不在等待补充材料状态")
    case.status = Status.IN_PROGRESS
    paused = any(clock.paused_at is not None for clock in case.clocks)
    if paused:  # resumed even if pausing was switched off meanwhile: a clock never stays stopped
        resume_working_clocks(case, utcnow())
    add_event(
        case,
        "material_received",
        public=True,
        actor=by,
        actor_label=actor_label(by),
        body="已收到补充材料，继续办理" + ("，答复期限恢复计算" if paused else ""),
    )
    log_case(case, "material_received", by)
    db.session.commit()
