"""The handlers' back office: the queue, the case page, a lead's approvals and each user's
reminders. The POST actions on a case live in action_routes.py; both attach to the admin blueprint.

A case the user may not see answers 404 (they may not learn it exists); a role that may not act
answers 403; a refusal by a service is shown in Chinese with 422 and nothing changed."""

from functools import wraps

from flask import abort, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from admin.cases import inbox, lookups
from admin.cases.actions import WARNING_VERDICTS, CaseError
from admin.cases.forms import (
    AssignForm,
    CloseForm,
    ConflictForm,
    DecisionForm,
    ExtensionForm,
    FeedbackForm,
    IdentityRequestForm,
    MergeForm,
    NoteForm,
    ReferForm,
    ReferralAnswerForm,
    ReferralExtensionForm,
    ReopenForm,
    ReplyForm,
    VerifyForm,
    queue_filter_form,
)
from admin.cases.identity import may_reveal
from admin.cases.permissions import can_decide_requests, can_work_case
from admin.cases.queries import queue, queue_count
from admin.routes import me
from admin.cases.forms import BulkAssignForm
from complaints.models import Channel, Complaint
from complaints.permissions import can_see_case
from rules.case_view import warning_panel
from core.views import Views
from core.forms import ConfirmForm
from core.db import utcnow
from core.extensions import db
from core.timezone import local_date
from core.transaction import atomic
from core.users.access import role_required
from core.users.models import Role, User
from core.web import page_arg

views = Views()

VIEWERS = (Role.HANDLER, Role.INSPECTOR, Role.ADMIN)
WORKERS = (Role.HANDLER, Role.INSPECTOR)
PER_PAGE = 50
REMINDERS_SHOWN = 100
FILES_ROUTE = "complaints.attachment"  # the complaints package serves attachments when it is installed
# Every form of the case page, by the name the template knows it under.
CASE_FORMS = {
    "assign": AssignForm,
    "reply": ReplyForm,
    "note": NoteForm,
    "refer": ReferForm,
    "answer": ReferralAnswerForm,
    "extension": ExtensionForm,
    "merge": MergeForm,
    "close": CloseForm,
    "feedback": FeedbackForm,
    "reopen": ReopenForm,
    "conflict": ConflictForm,
    "identity": IdentityRequestForm,
    "decision": DecisionForm,
    "confirm": ConfirmForm,
    "referral_extension": ReferralExtensionForm,
    "verify": VerifyForm,
}


def lead_required(view):
    """Leads only (a handler with the lead flag); 403 for everyone else."""

    @wraps(view)
    @login_required
    def guarded(*args, **kwargs):
        if current_user.role != Role.HANDLER or not current_user.is_lead:
            abort(403)
        return view(*args, **kwargs)

    guarded.allowed_roles = frozenset({Role.HANDLER})
    return guarded


def today():
    """Today in Asia/Shanghai."""
    return local_date(utcnow())


def visible_case(case_id: int) -> Complaint:
    """The case, or 404 when it does not exist or the user may not know it does."""
    case = db.get_or_404(Complaint, case_id)
    if not can_see_case(me(), case, today()):
        abort(404)
    return case


def fill(form, case: Complaint):
    """Give a form the choices that depend on the case."""
    if isinstance(form, AssignForm):
        form.assignee.choices = [
            SelectChoice(u.id, (u.display_name or u.username) + ("（本人）" if u.id == me().id else ""))
            for u in lookups.assignable_users(case, today())
        ]
    elif isinstance(form, (ReplyForm, NoteForm)):
        field = form.reply_template if isinstance(form, ReplyForm) else form.note_template
        field.choices = [SelectChoice("", "选择模板")] + [
            SelectChoice(str(t.id), t.title) for t in lookups.templates_for(case.category)
        ]
    elif isinstance(form, ReferForm):
        form.department.choices = [SelectChoice(d.id, d.name) for d in lookups.active_departments(case.village_code)]
    elif isinstance(form, CloseForm) and case.channel == Channel.WARNING:
        form.classification.choices = [SelectChoice("", "请选择")] + [SelectChoice(c, c) for c in WARNING_VERDICTS]
    return form


def case_page(
    case: Complaint, status: int = 200, *, error: str | None = None, active: str = "", revealed=None, **bound
):
    """The case page; `bound` holds posted forms shown again with their data and errors."""
    user, now = me(), utcnow()
    forms = {name: fill(bound.get(name) or cls(formdata=None), case) for name, cls in CASE_FORMS.items()}
    if not bound.get("reply"):
        forms["reply"].kind.data = lookups.suggested_reply_kind(case)
    if not bound.get("assign"):
        forms["assign"].assignee.data = user.id  # taking the case oneself is the usual choice
    decide = can_decide_requests(user, case, today())
    response = make_response(
        render_template(
            "admin/cases/case.html",
            case=case,
            forms=forms,
            error=error,
            active=active,
            revealed=revealed,
            offered=lookups.offered_actions(case, user, today()),
            clocks=lookups.clock_rows(case, now),
            events=lookups.timeline(case),
            referrals=lookups.referral_rows(case, now),
            names=lookups.user_names([case.assignee_id]),
            my_request=lookups.latest_identity_request(case, user),
            may_reveal=may_reveal(case, user),
            can_work=can_work_case(user, case, today()),
            identity_requests=lookups.pending_identity_requests(user, today(), case) if decide else [],
            extensions=lookups.pending_extensions(user, today(), case) if decide else [],
            pending_extension=lookups.pending_extension(case),
            merged_into=lookups.merged_into(case),
            warning=warning_panel(case, user),
            item=lookups.questioned_item(case, user),
            files_route=FILES_ROUTE if FILES_ROUTE in current_app.view_functions else None,
        ),
        status,
    )
    response.headers["Cache-Control"] = "no-store"  # internal notes and identities must not linger in caches
    return response


def first_error(form) -> str:
    """The first message of an invalid form, repeated at the top of a long page."""
    return next((message for messages in form.errors.values() for message in messages), "请检查填写的内容")


def attempt(case: Complaint, slot: str, form, call, done: str, then: str | None = None):
    """Validate the posted form and call one service; a refusal rolls back and answers 422."""
    if not form.validate_on_submit():
        return case_page(case, 422, error=first_error(form), active=slot, **{slot: form})
    try:
        with atomic():
            call()
    except CaseError as refusal:
        return case_page(case, 422, error=str(refusal), active=slot, **{slot: form})
    flash(done, "success")
    return redirect(then or url_for("admin.case_view", case_id=case.id))


@views.get("/cases")
@role_required(*VIEWERS)
def case_queue():
    user, now = me(), utcnow()
    form = queue_filter_form(user, request.args)
    filters = form.filters()
    statement = queue(user, filters, now)
    page = db.paginate(
        statement.options(*lookups.queue_options()), page=page_arg(), per_page=PER_PAGE, error_out=False, count=False
    )
    page.total, more = queue_count(statement, filters)
    filtered = any(value for key, value in request.args.items() if key != "page")
    return render_template(
        "admin/cases/queue.html",
        form=form,
        page=page,
        more=more,
        filtered=filtered,
        rows=lookups.queue_rows(page.items, now),
        is_lead=can_lead(user),
        bulk_form=bulk_assign_form(user) if user.role in WORKERS else None,
    )


def bulk_assign_form(user: User) -> BulkAssignForm:
    """The queue's 批量分派 form with the colleagues the user may hand work to (themself first)."""
    form = BulkAssignForm()
    others = [colleague for colleague in lookups.colleagues(user) if colleague.id != user.id]
    form.assign_to.choices = [SelectChoice(user.id, (user.display_name or user.username) + "（本人）")] + [
        SelectChoice(colleague.id, colleague.display_name or colleague.username) for colleague in others
    ]
    return form


def can_lead(user: User) -> bool:
    """Whether the user approves requests (the queue links to their approvals)."""
    return user.role == Role.HANDLER and user.is_lead


@views.get("/cases/<int:case_id>")
@role_required(*VIEWERS)
def case_view(case_id: int):
    return case_page(visible_case(case_id))


@views.get("/approvals")
@lead_required
def approvals():
    user = me()
    extensions = lookups.pending_extensions(user, today())
    return render_template(
        "admin/cases/approvals.html",
        form=DecisionForm(formdata=None),
        identity_requests=lookups.pending_identity_requests(user, today()),
        extensions=extensions,
        names=lookups.user_names(e.requested_by_id for e, _ in extensions),
    )


@views.get("/reminders")
@role_required(*VIEWERS)
def reminders():
    user = me()
    rows = db.session.execute(inbox.reminders_of(user, today()).limit(REMINDERS_SHOWN)).all()
    unread = {reminder.id for reminder, _, _ in rows if reminder.read_at is None}
    inbox.mark_read(user, sorted(unread), utcnow())
    return render_template("admin/cases/reminders.html", rows=rows, unread=unread)


@views.app_context_processor
def reminder_badge():
    def unread() -> int | None:
        """Unread reminders for the header; None for roles that never get any."""
        if not current_user.is_authenticated or current_user.role not in VIEWERS:
            return None
        return inbox.unread_count(current_user, today())

    return {"reminder_badge": unread}
