"""What a handler does to a case. Each public function is one transaction: it checks that the
transition is allowed, writes the timeline and the audit log, moves the clocks, commits once."""

from admin.cases.permissions import can_work_case
from complaints.clocks import LEGAL_CALENDAR_DAYS, meet_clock, pause_working_clocks, resume_working_clocks, start_clock
from complaints.models import CaseConflict, Channel, ClockKind, Complaint, Status
from complaints.notices.outbox import announce
from complaints.permissions import can_see_case
from complaints.services import add_event
from core.audit import record_audit
from core.db import utcnow
from core.extensions import db
from core.settings import settings_for
from core.timezone import local_date
from core.users.models import Role, User

CLASSIFICATIONS = ("属实", "部分属实", "不属实", "已解决", "转办")
WARNING_VERDICTS = ("属实", "部分属实", "不属实")  # a warning is verified, not answered
FEEDBACK_WORKING_DAYS = 15
FINISHED = (Status.CLOSED, Status.MERGED)
REPLY_KINDS = ("first_reply", "progress", "request_info")


class CaseError(ValueError):
    """An action the case's state or the user's role does not allow; the message is for the user."""


def actor_label(user: User) -> str:
    """How the complainant sees who answered: a role, never a name."""
    if user.role == Role.INSPECTOR:
        return "巡察组"
    levels = {region.level for region in user.regions}
    return "县纪委监委" if "county" in levels or not levels else "乡镇纪委"


def require_workable(case: Complaint, user: User, *, open_only: bool = True) -> None:
    if not can_work_case(user, case, local_date(utcnow())):
        raise CaseError("您不能办理这件案件")
    if open_only and case.status in FINISHED:
        raise CaseError("已办结或已合并的案件不能再进行此操作")


def _text(body: str, what: str) -> str:
    body = (body or "").strip()
    if not body:
        raise CaseError(f"请填写{what}")
    return body[:5000]


def log_case(case: Complaint, action: str, user: User, **detail) -> None:
    """The audit entry of an act on a case: `case.<action>`, naming the case by id and code."""
    record_audit(
        f"case.{action}", target_type="complaint", target_id=case.id, actor=user, detail={"code": case.code, **detail}
    )


def _public(case: Complaint, kind: str, body: str, user: User) -> None:
    now = utcnow()
    if case.assignee_id is None:
        case.assignee_id = user.id  # whoever answers an unassigned case has taken it
    add_event(case, kind, public=True, body=body, actor=user, actor_label=actor_label(user), at=now)
    announce(case, kind)  # an SMS to a complainant who left a number, sent by the sweep
    if meet_clock(case, ClockKind.REPLY, now) and case.clock(ClockKind.LEGAL) is None:
        # The first public answer is the acceptance that starts the 60-day statutory limit.
        start_clock(case, ClockKind.LEGAL, now, LEGAL_CALENDAR_DAYS, "calendar")
    if kind in ("progress", "closed"):
        meet_clock(case, ClockKind.PROGRESS, now)


def assign(case: Complaint, assignee: User, *, by: User) -> None:
    """Give the case to a colleague who may work it (or take it oneself)."""
    _assign(case, assignee, by)
    db.session.commit()


def assign_many(cases: list[Complaint], assignee: User, *, by: User) -> None:
    """Several cases to one colleague, each checked as a single assignment is: all or none."""
    if not cases:
        raise CaseError("请先勾选要分派的案件")
    for case in cases:
        code = case.code
        try:
            _assign(case, assignee, by)
        except CaseError as refusal:
            db.session.rollback()  # the ones already assigned in this loop go back too
            raise CaseError(f"{code}：{refusal}，所选案件都未分派") from None
    db.session.commit()


def _assign(case: Complaint, assignee: User, by: User) -> None:
    require_workable(case, by)
    if not assignee.is_enabled or not can_work_case(assignee, case, local_date(utcnow())):
        raise CaseError("只能分派给有权办理本案的工作人员")
    case.assignee_id = assignee.id
    add_event(case, "assigned", public=False, body=f"分派给 {assignee.display_name or assignee.username}", actor=by)
    log_case(case, "assign", by, assignee=assignee.username)


def reply(case: Complaint, kind: str, body: str, *, by: User) -> None:
    """A public message: first reply, progress notice, or a request for more information."""
    require_workable(case, by)
    if kind not in REPLY_KINDS:
        raise CaseError("未知的答复类型")
    body = _text(body, "答复内容")
    if kind != "request_info" and case.status == Status.AWAITING_INFO:
        resume_working_clocks(case, utcnow())  # answering without the material ends the wait too
    _public(case, kind, body, by)
    if kind == "request_info":
        case.status = Status.AWAITING_INFO
        if settings_for(case.village_code).clock_pausing_enabled:
            pause_working_clocks(case, utcnow())
            add_event(
                case,
                "paused",
                public=True,
                body="等待补充材料期间，答复期限暂停计算",
                actor=by,
                actor_label=actor_label(by),
            )
    elif case.status in (Status.RECEIVED, Status.AWAITING_INFO):
        case.status = Status.IN_PROGRESS
    log_case(case, kind, by)
    db.session.commit()


def note(case: Complaint, body: str, *, by: User) -> None:
    """An internal note: never shown to the complainant."""
    require_workable(case, by, open_only=False)
    add_event(case, "note", public=False, body=_text(body, "备注内容"), actor=by)
    log_case(case, "note", by)
    db.session.commit()


def close(case: Complaint, result: str, classification: str, *, by: User) -> None:
    """Close with a public result and a classification (the answer to a 复查 too); starts the
    real-name feedback clock."""
    require_workable(case, by)
    if classification not in CLASSIFICATIONS:
        raise CaseError("请选择办理结果的定性")
    if case.channel == Channel.WARNING and classification not in WARNING_VERDICTS:
        raise CaseError("预警请定性为属实、部分属实或不属实")
    result = _text(result, "办理结果")
    _public(case, "closed", result, by)
    now = utcnow()
    meet_clock(case, ClockKind.LEGAL, now)
    meet_clock(case, ClockKind.REVIEW, now)  # closing a case under 复查 is the review's answer
    case.status, case.result, case.classification, case.closed_at = Status.CLOSED, result, classification, now
    case.rating = None  # a case closed again after 不满意 may be rated again
    if case.is_real_name and case.clock(ClockKind.FEEDBACK) is None:
        start_clock(case, ClockKind.FEEDBACK, now, FEEDBACK_WORKING_DAYS, "working")
    log_case(case, "close", by, classification=classification)
    db.session.commit()


def start_verification(case: Complaint, body: str, *, by: User) -> None:
    """核查启动 on a warning: meets its grade's clock (DEADLINES.md); recorded once, internal."""
    require_workable(case, by)
    if case.channel != Channel.WARNING:
        raise CaseError("只有预警需要记录核查启动")
    if any(event.kind == "verify_started" for event in case.events):
        raise CaseError("已记录过核查启动")
    now = utcnow()
    meet_clock(case, ClockKind.VERIFY, now)  # grade 3 has no clock; the start is recorded all the same
    if case.assignee_id is None:
        case.assignee_id = by.id
    if case.status in (Status.RECEIVED, Status.REOPENED):
        case.status = Status.IN_PROGRESS
    add_event(case, "verify_started", public=False, body=_text(body, "核查安排"), actor=by, at=now)
    log_case(case, "verify", by)
    db.session.commit()


def record_feedback(case: Complaint, body: str, *, by: User) -> None:
    """The result was fed back to a real-name complainant (phone, visit, letter)."""
    require_workable(case, by, open_only=False)
    if case.status != Status.CLOSED or not meet_clock(case, ClockKind.FEEDBACK, utcnow()):
        raise CaseError("只有已办结的实名案件需要记录反馈，且只记录一次")
    add_event(case, "feedback", public=False, body=_text(body, "反馈情况"), actor=by)
    log_case(case, "feedback", by)
    db.session.commit()


def reopen(case: Complaint, reason: str, *, by: User) -> None:
    """Take a closed case up again."""
    require_workable(case, by, open_only=False)
    if case.status != Status.CLOSED:
        raise CaseError("只有已办结的案件可以重新办理")
    case.status = Status.REOPENED
    add_event(
        case, "reopened", public=True, body=_text(reason, "重新办理的原因"), actor=by, actor_label=actor_label(by)
    )
    log_case(case, "reopen", by)
    db.session.commit()


def merge(case: Complaint, into: Complaint, *, by: User, reason: str = "") -> None:
    """Fold a duplicate into another case; its tracking page then shows the other case's result.

    Cases of different villages are rarely the same matter, and a merge shows each complainant
    the other case's outcome: it takes a written reason, kept in the timeline and the audit log."""
    require_workable(case, by)
    if into.id == case.id or into.status == Status.MERGED or not can_work_case(by, into, local_date(utcnow())):
        raise CaseError("不能合并到这件案件")
    reason = (reason or "").strip()[:500]
    if case.village_code != into.village_code and not reason:
        raise CaseError("两件案件不在同一个村（社区），请写明合并的理由")
    case.status, case.merged_into_id = Status.MERGED, into.id
    case.next_due_at = None  # its clocks now run on the case it joined
    add_event(case, "merged", public=True, body=f"与案件 {into.code} 合并办理", actor=by, actor_label=actor_label(by))
    note = f"。理由：{reason}" if reason else ""
    if reason:
        add_event(case, "merge_reason", public=False, body=f"合并到案件 {into.code}{note}", actor=by)
    add_event(into, "merged_in", public=False, body=f"合并了案件 {case.code}{note}", actor=by)
    log_case(case, "merge", by, into=into.code, **({"reason": reason} if reason else {}))
    db.session.commit()


def declare_conflict(case: Complaint, reason: str, *, by: User) -> None:
    """Step off a case (same village, kin); the user no longer sees it."""
    if not can_see_case(by, case, local_date(utcnow())):
        raise CaseError("您看不到这件案件")
    db.session.add(CaseConflict(complaint_id=case.id, user_id=by.id, reason=_text(reason, "回避理由")))
    if case.assignee_id == by.id:
        case.assignee_id = None
    add_event(case, "conflict", public=False, body=f"{by.username} 申请回避", actor=by)
    log_case(case, "conflict", by)
    db.session.commit()
