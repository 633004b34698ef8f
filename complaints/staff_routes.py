"""Staff registration of complaints received by phone (12388, 12345), letter or visit: the same
clocks from the time received, and a paper secret that the portal replaces at first use."""

from flask import Blueprint, flash, make_response, redirect, render_template, session, url_for
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from core.extensions import db
from core.regions.models import Level, Region
from core.users.access import role_required
from core.users.models import Role
from core.users.permissions import in_scope, scope_filter
from complaints.codes import format_secret
from complaints.forms import StaffComplaintForm, new_ticket
from complaints.models import Category, Channel
from complaints.receipts import receipt_for, seal, unseal
from complaints.services import ComplaintError, file_complaint

bp = Blueprint("complaints_staff", __name__, url_prefix="/staff/complaints", template_folder="templates")

REGISTRARS = (Role.HANDLER, Role.ADMIN)
ALREADY_REGISTERED = "这张登记表已经提交过了，没有重复登记。如需再登记一件，请修改内容后再提交。"
SELECT_LIMIT = 1000  # above this (a province-wide admin) the village is typed as its code


@bp.route("/new", methods=["GET", "POST"])
@role_required(*REGISTRARS)
def new():
    form = StaffComplaintForm()
    if not form.validate_on_submit():
        return _page(form)
    village = db.session.get(Region, form.village.data.strip())
    if village is None or village.level_enum is not Level.VILLAGE or not in_scope(current_user, village.code):
        form.village.errors.append("请选择您负责范围内的村（社区）")
        return _page(form)
    try:
        filed = file_complaint(
            village=village,
            category=Category(form.category.data),
            text=form.text.data,
            channel=Channel(form.channel.data),
            identity=form.filing_identity(),
            received_at=form.received,
            idempotency_key=form.token,
            registered_by=current_user._get_current_object(),
            notice_phone=form.notice_phone(),
        )
    except ComplaintError as error:
        form.form_errors.append(str(error))
        return _page(form)
    filed = receipt_for(session, form.token, form.text.data, filed)
    if filed is None:
        form.form_errors.append(ALREADY_REGISTERED)
        form.ticket.data = new_ticket()
        return _page(form)
    session["registered"] = seal({"code": filed.code, "secret": filed.secret})
    return redirect(url_for(".registered"))


def _page(form: StaffComplaintForm):
    # The ticket files (and shows the paper secret of) one case: no cache may hand it to another.
    response = make_response(
        render_template("complaints/staff_new.html", form=form, villages=_villages_in_scope()),
        422 if form.is_submitted() else 200,
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _villages_in_scope() -> list[Region] | None:
    """The villages the user may register for, or None when there are too many for a list."""
    in_reach = (Region.level == Level.VILLAGE, scope_filter(current_user, Region.code))
    if db.session.scalar(select(func.count()).select_from(Region).where(*in_reach)) > SELECT_LIMIT:
        return None
    return list(
        db.session.scalars(select(Region).where(*in_reach).options(selectinload(Region.parent)).order_by(Region.code))
    )


@bp.get("/registered")
@role_required(*REGISTRARS)
def registered():
    filed = unseal(session.pop("registered", None))
    if not filed:
        flash("查询密码只显示一次；如需重新给反映人密码，请联系管理员。", "info")
        return redirect(url_for(".new"))
    response = make_response(
        render_template("complaints/staff_done.html", code=filed["code"], secret=format_secret(filed["secret"]))
    )
    response.headers["Cache-Control"] = "no-store"
    return response
