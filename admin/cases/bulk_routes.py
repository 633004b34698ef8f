"""批量分派 from the queue: the ticked cases go to one colleague, each asked the same questions as a
single assignment (can the user see it, work it, may the colleague work it); one refusal and none
is assigned."""

from flask import abort, flash, redirect, request, url_for

from admin.cases import actions
from admin.cases.actions import CaseError
from admin.cases.routes import PER_PAGE, WORKERS, bulk_assign_form, me, today
from complaints.models import Complaint
from complaints.permissions import can_see_case
from core.views import Views
from core.extensions import db
from core.transaction import atomic
from core.users.access import role_required
from core.users.models import User
from core.web import LARGEST_ID

views = Views()


def _ticked_cases() -> list[Complaint]:
    """The ticked cases; 404 for any id that is not a case the user may see (never half-assigned)."""
    raw = request.form.getlist("case")
    if len(raw) > PER_PAGE or not all(value.isdigit() and int(value) <= LARGEST_ID for value in raw):
        abort(400)
    ids = sorted({int(value) for value in raw})
    found = {case.id: case for case in db.session.scalars(db.select(Complaint).where(Complaint.id.in_(ids)))}
    cases = [found.get(case_id) for case_id in ids]
    if any(case is None or not can_see_case(me(), case, today()) for case in cases):
        abort(404)
    return cases


@views.post("/cases/assign")
@role_required(*WORKERS)
def cases_bulk_assign():
    form = bulk_assign_form(me())
    # Back to the queue as it was filtered; url_for's own options (_external, _scheme, _anchor)
    # are not the query string's to set.
    back = url_for(
        "admin.case_queue", **{name: value for name, value in request.args.items() if not name.startswith("_")}
    )
    if not form.validate_on_submit():
        abort(400)
    cases = _ticked_cases()
    assignee = db.session.get(User, form.assign_to.data)
    try:
        with atomic():
            actions.assign_many(cases, assignee, by=me())
    except CaseError as refusal:
        flash(str(refusal), "error")
        return redirect(back, 303)
    flash(f"已分派{len(cases)}件案件给 {assignee.display_name or assignee.username}", "success")
    return redirect(back, 303)
