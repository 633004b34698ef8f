"""The rules page for administrators: what each rule looks for, its settings, its last run, its
warnings by state and hit rate; a button that runs them. Rosters are in roster_routes.py."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user

from core.users.access import role_required, scoped_counties, scoped_county
from core.users.models import Role
from rules import queries
from rules.custom.services import all_custom_rules
from rules.forms import RuleSettingsForm, RunForm
from rules.jobs import request_run
from rules.registry import BUILTIN
from rules.services import RulesError, current_values, save_rule_settings
from rules.settings import county_params

bp = Blueprint("rules", __name__, url_prefix="/admin", template_folder="templates")


@bp.get("/rules")
@role_required(Role.ADMIN)
def index():
    counties = scoped_counties()
    return render_template(
        "rules/index.html",
        rules=BUILTIN,
        custom=all_custom_rules(),
        counts=queries.counts_by_rule(current_user),
        runs=queries.recent_runs(),
        last=queries.last_succeeded_run(),
        run_form=RunForm(),
        counties=[(county, county_params(county.code)) for county in counties],
    )


@bp.post("/rules/run")
@role_required(Role.ADMIN)
def run():
    form = RunForm()
    if not form.validate_on_submit():
        flash("比对日期格式应为 2026-11-20", "error")
        return redirect(url_for(".index"))
    started = request_run(trigger="manual", by=current_user._get_current_object(), as_of=form.as_of.data)
    flash(f"规则运行已开始（第{started.id}次），完成后在下方查看结果", "success")
    return redirect(url_for(".index"))


@bp.route("/rules/settings/<county_code>", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def settings(county_code: str):
    county = scoped_county(county_code)
    form = RuleSettingsForm(data=current_values(county.code))
    if form.validate_on_submit():
        try:
            save_rule_settings(
                county,
                {name: getattr(form, name).data for name in form.data if name != "csrf_token"},
                by=current_user._get_current_object(),
            )
        except RulesError as error:
            form.exclusive_pairs.errors = [*form.exclusive_pairs.errors, str(error)]
        else:
            flash(f"已保存{county.name}的比对规则设置，下次运行起生效", "success")
            return redirect(url_for(".index"))
    return render_template("rules/settings.html", county=county, form=form), 422 if form.errors else 200
