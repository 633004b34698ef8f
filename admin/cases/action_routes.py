"""The actions on a case page: each POST validates its form and calls one service (see routes.py
for the page they re-render and the 404/403/422 conventions)."""

from flask import abort, request, url_for

from admin.cases import actions, identity, lookups, referrals
from admin.cases.actions import CaseError
from admin.cases.forms import DecisionForm
from admin.cases.routes import (
    CASE_FORMS,
    VIEWERS,
    WORKERS,
    attempt,
    case_page,
    fill,
    lead_required,
    me,
    today,
    visible_case,
)
from admin.models import ClockExtension, Department, IdentityRequest, Referral
from complaints.models import Channel, Complaint
from complaints.permissions import can_see_case
from core.views import Views
from core.forms import ConfirmForm
from core.extensions import db
from core.users.access import role_required
from core.users.models import User
from core.web import id_from

views = Views()

REPLY_DONE = {
    "first_reply": "初步答复已发送，反映人可在查询页看到",
    "progress": "进展告知已发送，反映人可在查询页看到",
    "request_info": "已请反映人补充材料",
}
APPROVED = "已审批"
EXTENSION_ASKED = "延期申请已提交，等待负责人审批"


def case_action(action: str, slot: str, done, *, guard=None, then=None, choices: bool = False, form=None):
    """Declare POST /cases/<id>/<action>, named after the decorated function, which takes the case
    and its validated form and calls one service. The case is one the user may see (else 404), the
    form is the case page's `slot` form (or `form`'s class), given its case-dependent choices when
    `choices` is set; `done` (the flash) and `then` (where to go next, default the case page) are
    values or functions of (case, form). Refusals come back through `attempt` as 422."""

    def declare(work):
        def view(case_id: int):
            case = visible_case(case_id)
            posted = (form or CASE_FORMS[slot])()
            if choices:
                fill(posted, case)
            return attempt(
                case, slot, posted, lambda: work(case, posted), _at(done, case, posted), _at(then, case, posted)
            )

        view.__name__ = view.__qualname__ = work.__name__
        views.post(f"/cases/<int:case_id>/{action}")((guard or role_required(*WORKERS))(view))
        return work

    return declare


def _at(value, case: Complaint, form):
    return value(case, form) if callable(value) else value


@case_action("assign", "assign", "已分派", choices=True)
def case_assign(case, form):
    actions.assign(case, _user(form.assignee.data), by=me())


@views.post("/cases/<int:case_id>/reply")
@role_required(*WORKERS)
def case_reply(case_id: int):
    case = visible_case(case_id)
    form = fill(CASE_FORMS["reply"](), case)
    if "insert" in request.form:
        return _insert_template(case, "reply", form, form.reply, form.reply_template)
    return attempt(
        case,
        "reply",
        form,
        lambda: actions.reply(case, form.kind.data, form.reply.data, by=me()),
        REPLY_DONE.get(form.kind.data, ""),
    )


@views.post("/cases/<int:case_id>/note")
@role_required(*WORKERS)
def case_note(case_id: int):
    case = visible_case(case_id)
    form = fill(CASE_FORMS["note"](), case)
    if "insert" in request.form:
        return _insert_template(case, "note", form, form.note, form.note_template)
    return attempt(case, "note", form, lambda: actions.note(case, form.note.data, by=me()), "内部备注已保存")


@case_action("refer", "refer", "已转办", choices=True)
def case_refer(case, form):
    referrals.refer(case, db.session.get(Department, form.department.data), form.summary.data, by=me())


@case_action("referral-answer", "answer", "已记录部门答复")
def case_referral_answer(case, form):
    referrals.record_referral_answer(_own(Referral, form.referral_id.data, case), form.answer.data, by=me())


@case_action("material", "material", "已记录收到补充材料", form=ConfirmForm)
def case_material(case, form):
    referrals.material_received(case, by=me())


@case_action("extension", "extension", EXTENSION_ASKED)
def case_extension(case, form):
    referrals.request_extension(case, form.extension_days.data, form.extension_reason.data, by=me())


@case_action("referral-extension", "referral_extension", EXTENSION_ASKED)
def case_referral_extension(case, form):
    referrals.request_referral_extension(
        _own(Referral, form.referral_id.data, case),
        form.referral_extension_days.data,
        form.referral_extension_reason.data,
        by=me(),
    )


@case_action("merge", "merge", "已合并")
def case_merge(case, form):
    actions.merge(case, _merge_target(form.into_code.data), by=me(), reason=form.merge_reason.data or "")


@case_action(
    "close",
    "close",
    lambda case, form: "预警已办结" if case.channel == Channel.WARNING else "案件已办结，办理结果已公开",
)
def case_close(case, form):
    actions.close(case, form.result.data, form.classification.data, by=me())


@case_action("verify", "verify", "已记录核查启动")
def case_verify(case, form):
    actions.start_verification(case, form.verify.data, by=me())


@case_action("feedback", "feedback", "已记录向反映人反馈的情况")
def case_feedback(case, form):
    actions.record_feedback(case, form.feedback.data, by=me())


@case_action("reopen", "reopen", "案件已重新办理")
def case_reopen(case, form):
    actions.reopen(case, form.reopen_reason.data, by=me())


@case_action(
    "conflict",
    "conflict",
    "已回避：您不再看到这件案件",
    guard=role_required(*VIEWERS),
    then=lambda case, form: url_for("admin.case_queue"),
)
def case_conflict(case, form):
    actions.declare_conflict(case, form.conflict_reason.data, by=me())


@case_action("identity/request", "identity", "申请已提交，等待负责人审批")
def case_identity_request(case, form):
    identity.request_identity(case, form.identity_reason.data, by=me())


@views.post("/cases/<int:case_id>/identity/reveal")
@role_required(*WORKERS)
def case_identity_reveal(case_id: int):
    case = visible_case(case_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        revealed = identity.reveal_identity(case, by=me())
    except CaseError as refusal:
        return case_page(case, 422, error=str(refusal), active="identity")
    return case_page(case, active="identity", revealed=revealed)


@case_action("identity/decide", "decision", APPROVED, guard=lead_required, then=lambda case, form: _back(form, case))
def case_identity_decide(case, form):
    identity.decide_identity(
        _own(IdentityRequest, form.request_id.data, case), _approve(form), form.decision_note.data or "", by=me()
    )


@case_action("extension/decide", "decision", APPROVED, guard=lead_required, then=lambda case, form: _back(form, case))
def case_extension_decide(case, form):
    referrals.decide_extension(_own(ClockExtension, form.request_id.data, case), _approve(form), by=me())


def _insert_template(case: Complaint, slot: str, form, text_field, template_field):
    """Put the chosen template's text into the textarea, after what is already typed; nothing is saved."""
    chosen = next((t for t in lookups.templates_for(case.category) if str(t.id) == template_field.data), None)
    if chosen is None:
        return case_page(case, 422, error="请先选择一个模板", active=slot, **{slot: form})
    text_field.data = "\n".join(part for part in ((text_field.data or "").rstrip(), chosen.body) if part)
    return case_page(case, active=slot, **{slot: form})


def _user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise CaseError("只能分派给有权办理本案的工作人员")
    return user


def _own(model, raw_id, case: Complaint):
    """A row of this case by the id a form posted; anything else is refused, not looked up elsewhere."""
    row_id = id_from(raw_id)
    found = db.session.get(model, row_id) if row_id is not None else None
    if found is None or found.complaint_id != case.id:
        raise CaseError("找不到这条记录，请刷新页面")
    return found


def _merge_target(code: str) -> Complaint:
    target = lookups.case_by_code(code)
    if target is None or not can_see_case(me(), target, today()):
        raise CaseError("找不到这件案件，请核对编号")  # the same answer whether it exists out of scope or not
    return target


def _approve(form: DecisionForm) -> bool:
    if form.decision.data not in ("approve", "deny"):
        raise CaseError("请选择批准或不批准")
    return form.decision.data == "approve"


def _back(form: DecisionForm, case: Complaint) -> str:
    return url_for("admin.approvals") if form.back.data == "approvals" else url_for("admin.case_view", case_id=case.id)
