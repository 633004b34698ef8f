"""Back-office pages for inspection rounds (巡察轮次): list, create, edit, print the notice.

A blueprint of its own under /admin/rounds, because complaints/ never imports admin/."""
import re

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import DateField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from core.db import utcnow
from core.extensions import db
from core.users.access import role_required
from core.users.models import Role
from core.web import id_from
from complaints import posters, rounds
from complaints.models import InspectionRound
from complaints.qr import qr_url, round_target, token_for

bp = Blueprint("rounds_admin", __name__, url_prefix="/admin/rounds", template_folder="templates")
TEXT_LIMIT = Length(max=2000, message="最多 2000 字")
# One code a line, as the label says; pasted lists with commas or 、 are read the same way.
CODE_SEPARATORS = re.compile(r"[\s,，、;；]+")


class DayField(DateField):
    """A date input whose every error is Chinese: an empty box counts as missing, not malformed.

    Pair it with InputRequired: DataRequired would wipe the "malformed" message."""

    def __init__(self, label, **kwargs):
        super().__init__(label, invalid_value_message="请按 2026-10-08 的格式填写日期", **kwargs)

    def process_formdata(self, valuelist):
        super().process_formdata([value for value in valuelist if value.strip()])


class RoundForm(FlaskForm):
    name = StringField("巡察轮次名称", validators=[DataRequired("请填写巡察轮次名称"),
                                             Length(max=100, message="最多 100 字")])
    team_name = StringField("巡察组", validators=[DataRequired("请填写巡察组名称"),
                                               Length(max=100, message="最多 100 字")])
    # Checked against the inspector accounts by the service, which says so in Chinese.
    member_ids = SelectMultipleField("巡察组成员", validate_choice=False, widget=ListWidget(prefix_label=False),
                                     option_widget=CheckboxInput())
    village_codes = TextAreaField("巡察对象（村的行政区划代码，每行一个）")
    starts_on = DayField("开始日期", validators=[InputRequired("请填写开始日期")])
    ends_on = DayField("结束日期", validators=[InputRequired("请填写结束日期")])
    scope_text = TextAreaField("巡察范围", validators=[TEXT_LIMIT])
    focus_text = TextAreaField("巡察重点", validators=[TEXT_LIMIT])
    contact_text = TextAreaField("联系方式（电话、信箱、地点）", validators=[TEXT_LIMIT])

    def fields(self) -> rounds.RoundFields:
        return rounds.RoundFields(
            name=self.name.data, team_name=self.team_name.data, starts_on=self.starts_on.data,
            ends_on=self.ends_on.data, member_ids=[member for member in map(id_from, self.member_ids.data or []) if member is not None],
            village_codes=CODE_SEPARATORS.split(self.village_codes.data or ""), scope_text=self.scope_text.data or "",
            focus_text=self.focus_text.data or "", contact_text=self.contact_text.data or "")


def _form(inspection: InspectionRound | None = None) -> RoundForm:
    form = RoundForm(obj=inspection)
    # Current members stay listed even if no longer inspectors, so the error names them.
    people = {user.id: user for user in rounds.inspector_accounts() + (inspection.members if inspection else [])}
    form.member_ids.choices = [SelectChoice(str(user.id), _person(user))
                               for user in sorted(people.values(), key=lambda user: user.username)]
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
    return render_template("complaints/rounds_list.html", rounds=rounds.rounds_for(current_user),
                           now=utcnow(), period_text=rounds.period_text, state=rounds.state_label)


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
    return render_template("complaints/rounds_form.html", form=form, inspection=None), status


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
    return (render_template("complaints/rounds_form.html", form=form, inspection=inspection, link=link),
            422 if form.errors else 200)


@bp.get("/<int:round_id>/notice.pdf")
@role_required(Role.ADMIN)
def notice_pdf(round_id: int):
    return posters.round_notice(_round_or_404(round_id)).response()
