"""Administrators keep the departments cases are referred to (per county) and the reply templates
handlers insert (per complaint category): list, add, deactivate or remove."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from admin import reference
from admin.cases.forms import DepartmentForm, ReplyTemplateForm
from admin.models import Department, ReplyTemplate
from complaints.models import Category
from core.views import Views
from core.forms import ConfirmForm
from core.extensions import db
from core.regions.models import Level, Region
from core.users.access import role_required
from core.users.models import Role
from core.users.permissions import in_scope, scope_filter

views = Views()

CATEGORY_LABELS = {"": "全部类别", **{c.value: c.label for c in Category}}


def _counties() -> list[Region]:
    return list(
        db.session.scalars(
            select(Region)
            .where(Region.level == Level.COUNTY, scope_filter(current_user, Region.code))
            .order_by(Region.code)
        )
    )


@views.route("/departments", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def departments():
    counties = _counties()
    form = DepartmentForm()
    form.county.choices = [SelectChoice(c.code, c.name) for c in counties]
    if form.validate_on_submit():
        try:
            reference.add_department(form.county.data, form.name.data, by=current_user._get_current_object())
        except reference.ListError as error:
            form.name.errors.append(str(error))
        else:
            flash("已添加部门", "success")
            return redirect(url_for(".departments"))
    listed = db.session.execute(
        select(Department, Region.name)
        .join(Region, Region.code == Department.county_code)
        .where(scope_filter(current_user, Department.county_code))
        .order_by(Department.county_code, Department.is_active.desc(), Department.name)
    ).all()
    return render_template(
        "admin/departments.html",
        form=form,
        departments=listed,
        counties=counties,
        action_form=ConfirmForm(formdata=None),
    ), 422 if form.errors else 200


@views.post("/departments/<int:department_id>/active")
@role_required(Role.ADMIN)
def department_set_active(department_id: int):
    department = db.get_or_404(Department, department_id)
    if not in_scope(current_user, department.county_code):
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    active = request.form.get("active") == "1"
    reference.set_department_active(department, active, by=current_user._get_current_object())
    flash(f"已{'启用' if active else '停用'}：{department.name}", "success")
    return redirect(url_for(".departments"))


@views.route("/reply-templates", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def reply_templates():
    return _template_page(None)


@views.route("/reply-templates/<int:template_id>", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def reply_template_edit(template_id: int):
    return _template_page(db.get_or_404(ReplyTemplate, template_id))


def _template_page(template: ReplyTemplate | None):
    form = ReplyTemplateForm(obj=template)
    if form.validate_on_submit():
        try:
            reference.save_template(
                template,
                category=form.category.data or "",
                title=form.title.data,
                body=form.body.data,
                by=current_user._get_current_object(),
            )
        except reference.ListError as error:
            form.body.errors.append(str(error))
        else:
            flash("模板已保存", "success")
            return redirect(url_for(".reply_templates"))
    templates = db.session.scalars(select(ReplyTemplate).order_by(ReplyTemplate.category, ReplyTemplate.title))
    return render_template(
        "admin/reply_templates.html",
        form=form,
        template=template,
        templates=list(templates),
        labels=CATEGORY_LABELS,
        action_form=ConfirmForm(formdata=None),
    ), 422 if form.errors else 200


@views.post("/reply-templates/<int:template_id>/delete")
@role_required(Role.ADMIN)
def reply_template_delete(template_id: int):
    template = db.get_or_404(ReplyTemplate, template_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    reference.delete_template(template, by=current_user._get_current_object())
    flash("模板已删除", "success")
    return redirect(url_for(".reply_templates"))
