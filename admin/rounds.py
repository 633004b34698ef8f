"""Back-office pages for inspection rounds (巡察轮次): list, create, edit, print the notice
(the rounds themselves, and the QR codes and posters that file into them, are complaints/)."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from admin.forms import RoundForm

from core.db import utcnow
from core.extensions import db
from core.users.access import role_required
from core.users.models import Role
from complaints import posters, rounds
from complaints.models import InspectionRound
from complaints.qr import qr_url, round_target, token_for

bp = Blueprint("rounds_admin", __name__, url_prefix="/admin/rounds")


def _form(inspection: InspectionRound | None = None) -> RoundForm:
    form = RoundForm(obj=inspection)
    # Current members stay listed even if no longer inspectors, so the error names them.
    people = {user.id: user for user in rounds.inspector_accounts() + (inspection.members if inspection else [])}
    form.member_ids.choices = [
        SelectChoice(str(user.id), _person(user)) for user in sorted(people.values(), key=lambda user: user.username)
    ]
    if inspection is not None and request.method == "GET":
        form.member_ids.data = [str(user.id) for user in inspection.members]
        form.village_codes.data = "\n".join(village.code for village in inspection.villages)
    return form


def _person(user) -> str:
    return f"{user.display_name}（{user.username}）" if user.display_name else user.username


def _round_or_404(round_id: int) -> InspectionRound:
    inspection = db.get_or_404(InspectionRound, round_id)
    if not rounds.can_manage_round(current_user, inspection):
        abort(404)
    return inspection


def _show_error(form: RoundForm, error: rounds.RoundError) -> None:
    getattr(form, error.field, form.village_codes).errors.append(str(error))


@bp.get("/")
@role_required(Role.ADMIN)
def index():
    return render_template(
        "admin/rounds_list.html",
        rounds=rounds.rounds_for(current_user),
        now=utcnow(),
        period_text=rounds.period_text,
        state=rounds.state_label,
    )


@bp.route("/new", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def create():
    form = _form()
    if form.validate_on_submit():
        try:
            inspection = rounds.create_round(form.fields(), by=current_user)
        except rounds.RoundError as error:
            _show_error(form, error)
        else:
            flash("巡察轮次已创建", "success")
            return redirect(url_for(".edit", round_id=inspection.id))
    status = 422 if form.errors else 200
    return render_template("admin/rounds_form.html", form=form, inspection=None), status


@bp.route("/<int:round_id>", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def edit(round_id: int):
    inspection = _round_or_404(round_id)
    form = _form(inspection)
    if form.validate_on_submit():
        try:
            rounds.update_round(inspection, form.fields(), by=current_user)
        except rounds.RoundError as error:
            _show_error(form, error)
        else:
            flash("巡察轮次已保存", "success")
            return redirect(url_for(".edit", round_id=inspection.id))
    link = qr_url(token_for(round_target(inspection.id)))
    return (
        render_template("admin/rounds_form.html", form=form, inspection=inspection, link=link),
        422 if form.errors else 200,
    )


@bp.get("/<int:round_id>/notice.pdf")
@role_required(Role.ADMIN)
def notice_pdf(round_id: int):
    return posters.round_notice(_round_or_404(round_id)).response()
