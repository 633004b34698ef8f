"""Back office: home, accounts and the audit log."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from admin import lookup_alerts, queries
from admin.forms import AuditFilterForm, UserForm
from admin.menu import staff_menu
from admin.permissions import visible_audit_entries
from admin.todo import batches_to_review, case_todos, disclosures_outstanding, returned_batches
from core.forms import ConfirmForm
from core.audit import ACTION_LABELS
from core.db import utcnow
from core.extensions import db
from core.timezone import local_date
from core.users import services
from core.users.access import role_required, staff_required
from core.users.models import Role, User
from core.web import page_arg
from core.users import second_factor
from core.users.permissions import can_manage_account, is_unscoped_admin

bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates")
bp.app_context_processor(lambda: {"staff_menu": staff_menu})


@bp.get("/")
@staff_required
def home():
    user, now = me(), utcnow()
    todo = {}
    if user.role in (Role.HANDLER, Role.INSPECTOR, Role.ADMIN):
        todo["cases"] = case_todos(user, now)
    if user.role in (Role.REVIEWER, Role.ADMIN):
        todo["to_review"] = batches_to_review(user)
    if user.role == Role.ACCOUNTANT:
        todo["owed"] = disclosures_outstanding(user, local_date(now))
        todo["returned"] = returned_batches(user)
    budget_spent_at = lookup_alerts.budget_spent_recently() if user.role == Role.ADMIN else None
    return render_template(
        "admin/home.html",
        todo=todo,
        lookup_budget_spent_at=budget_spent_at,
        suggest_second_factor=second_factor.is_required_for(user) and not user.has_second_factor,
        whole_installation=is_unscoped_admin(user),
    )


def me() -> User:
    """The signed-in user itself (services compare and store it, not the proxy)."""
    return current_user._get_current_object()


def managed_user(user_id: int) -> User:
    """The account, or 404 when it does not exist or lies beyond the administrator's reach."""
    user = db.get_or_404(User, user_id)
    if not can_manage_account(me(), user):
        abort(404)
    return user


@bp.get("/users")
@role_required(Role.ADMIN)
def users():
    return render_template("admin/users.html", users=queries.managed_users(me()), action_form=ConfirmForm())


@bp.route("/users/new", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def user_new():
    form = UserForm()
    if form.validate_on_submit():
        try:
            user, password = services.create_user(form.username.data, **form.account(), by=me())
        except services.AccountError as error:
            form.region_codes.errors.append(str(error))
        else:
            return render_template("admin/password_shown.html", user=user, password=password)
    return render_template("admin/user_form.html", form=form, user=None)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def user_edit(user_id: int):
    user = managed_user(user_id)
    form = UserForm(obj=user)
    if request.method == "GET":
        form.region_codes.data = "\n".join(region.code for region in user.regions)
    if form.validate_on_submit():
        try:
            services.update_user(user, **form.account(), by=me())
        except services.AccountError as error:
            form.region_codes.errors.append(str(error))
        else:
            flash("账号已更新", "success")
            return redirect(url_for(".users"))
    return render_template("admin/user_form.html", form=form, user=user)


@bp.post("/users/<int:user_id>/enabled")
@role_required(Role.ADMIN)
def user_set_enabled(user_id: int):
    user = managed_user(user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    enable = request.form.get("enable") == "1"
    try:
        services.set_enabled(user, enable, by=me())
    except services.AccountError as error:
        flash(str(error), "error")
    else:
        flash(f"已{'启用' if enable else '停用'}账号 {user.username}", "success")
    return redirect(url_for(".users"))


@bp.post("/users/<int:user_id>/reset-password")
@role_required(Role.ADMIN)
def user_reset_password(user_id: int):
    user = managed_user(user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    password = services.reset_password(user, by=me())
    return render_template("admin/password_shown.html", user=user, password=password)


@bp.get("/audit")
@role_required(Role.ADMIN)
def audit():
    form = AuditFilterForm(request.args)
    form.action.choices = [SelectChoice("", "全部")] + [SelectChoice(*item) for item in ACTION_LABELS.items()]
    page = page_arg()
    statement = queries.audit_entries(form.data if form.validate() else {})
    entries = db.paginate(
        statement.where(visible_audit_entries(me(), local_date(utcnow()))), page=page, per_page=50, error_out=False
    )
    return render_template("admin/audit.html", form=form, entries=entries, labels=ACTION_LABELS)
