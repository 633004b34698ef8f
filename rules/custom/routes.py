"""Compose a custom rule: the form, a preview of its hits on current data, then a save that makes
a new version. Administrators only; attached to the rules blueprint."""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from core.views import Views
from core.extensions import db
from core.users.access import role_required
from core.users.models import Role
from rules.custom import services
from rules.custom.forms import CONDITIONS, CustomRuleForm
from rules.custom.models import CustomRule

views = Views()


def _page(form: CustomRuleForm, rule: CustomRule | None, status: int = 200, **extra):
    return render_template(
        "rules/custom.html",
        form=form,
        rule=rule,
        conditions=range(1, CONDITIONS + 1),
        versions=services.versions_of(rule) if rule else [],
        **extra,
    ), status


def _compose(rule: CustomRule | None):
    form = CustomRuleForm()
    if request.method == "GET":
        if rule is not None:
            form.load(rule)
        return _page(form, rule)
    if not form.validate_on_submit():
        return _page(form, rule, 422)
    try:
        if "preview" in request.form:
            return _page(form, rule, preview=services.preview(form.kind.data, form.definition()))
        saved = services.save_custom_rule(
            rule,
            code=form.code.data or "",
            kind=rule.kind if rule else form.kind.data,
            title=form.title.data,
            description=form.description.data,
            grade=form.grade.data,
            definition=form.definition(),
            is_enabled=form.is_enabled.data,
            by=current_user._get_current_object(),
        )
    except services.CustomRuleError as error:
        return _page(form, rule, 422, error=str(error))
    flash(f"已保存规则 {saved.code}（第{saved.version}版），下次运行起生效", "success")
    return redirect(url_for("rules.custom_edit", rule_id=saved.id))


@views.route("/rules/custom/new", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def custom_new():
    return _compose(None)


@views.route("/rules/custom/<int:rule_id>", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def custom_edit(rule_id: int):
    return _compose(db.get_or_404(CustomRule, rule_id))
