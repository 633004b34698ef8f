"""County settings in the back office: who reviews disclosures, names on rosters, clock pausing."""

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from admin.forms import CountySettingsForm
from admin.routes import bp
from core.audit import record_audit
from core.extensions import db
from core.regions import queries
from core.regions.models import Level, Region
from core.settings import CountySettings, settings_for
from core.users.access import role_required
from core.users.models import Role
from core.users.permissions import in_scope

FIELDS = ("review_enabled", "reviewer_level", "show_full_names", "clock_pausing_enabled",
          "referral_working_days", "approval_threshold")


def save_settings(county: Region, values: dict, *, by) -> CountySettings:
    """Store a county's settings, auditing what changed."""
    settings = db.session.get(CountySettings, county.code) or CountySettings(county_code=county.code)
    before = {name: str(getattr(settings_for(county.code), name)) for name in FIELDS}
    for name in FIELDS:
        setattr(settings, name, values[name])
    db.session.add(settings)
    record_audit("settings.update", target_type="county", target_id=county.code, actor=by,
                 detail={"before": before, "after": {name: str(values[name]) for name in FIELDS}})
    db.session.commit()
    return settings


@bp.get("/settings")
@role_required(Role.ADMIN)
def settings_index():
    counties = [county for county in queries.counties() if in_scope(current_user, county.code)]
    return render_template("admin/settings.html", counties=counties, settings_for=settings_for)


@bp.route("/settings/<county_code>", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def settings_edit(county_code: str):
    county = db.get_or_404(Region, county_code)
    if county.level != Level.COUNTY or not in_scope(current_user, county.code):
        abort(404)
    form = CountySettingsForm(obj=settings_for(county.code))
    form.reviewer_level.choices = [SelectChoice("township", "乡镇审核"), SelectChoice("village", "村务监督委员会审核")]
    if form.validate_on_submit():
        save_settings(county, {name: getattr(form, name).data for name in FIELDS}, by=current_user)
        flash(f"已保存{county.name}的设置", "success")
        return redirect(url_for(".settings_index"))
    return render_template("admin/settings_edit.html", county=county, form=form), 422 if form.errors else 200


