"""County settings in the back office: who reviews disclosures, names on rosters, clock pausing."""

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from admin.forms import CountySettingsForm
from core.views import Views
from core.extensions import db
from core.regions import queries
from core.regions.models import Level, Region
from core.settings import EDITABLE, save_settings, settings_for
from core.users.access import role_required
from core.users.models import Role
from core.users.permissions import in_scope

views = Views()


@views.get("/settings")
@role_required(Role.ADMIN)
def settings_index():
    counties = [county for county in queries.counties() if in_scope(current_user, county.code)]
    return render_template("admin/settings.html", counties=counties, settings_for=settings_for)


@views.route("/settings/<county_code>", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def settings_edit(county_code: str):
    county = db.get_or_404(Region, county_code)
    if county.level != Level.COUNTY or not in_scope(current_user, county.code):
        abort(404)
    form = CountySettingsForm(obj=settings_for(county.code))
    form.reviewer_level.choices = [SelectChoice("township", "乡镇审核"), SelectChoice("village", "村务监督委员会审核")]
    if form.validate_on_submit():
        save_settings(county.code, {name: getattr(form, name).data for name in EDITABLE}, by=current_user)
        flash(f"已保存{county.name}的设置", "success")
        return redirect(url_for(".settings_index"))
    return render_template("admin/settings_edit.html", county=county, form=form), 422 if form.errors else 200
