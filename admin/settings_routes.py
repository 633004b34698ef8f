"""County settings in the back office: who reviews disclosures, names on rosters, clock pausing."""

from flask import flash, redirect, render_template, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from admin.forms import CountySettingsForm
from core.views import Views
from core.settings import EDITABLE, save_settings, settings_for
from core.users.access import role_required, scoped_counties, scoped_county
from core.users.models import Role

views = Views()


@views.get("/settings")
@role_required(Role.ADMIN)
def settings_index():
    counties = scoped_counties()
    return render_template("admin/settings.html", counties=counties, settings_for=settings_for)


@views.route("/settings/<county_code>", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def settings_edit(county_code: str):
    county = scoped_county(county_code)
    form = CountySettingsForm(obj=settings_for(county.code))
    form.reviewer_level.choices = [SelectChoice("township", "乡镇审核"), SelectChoice("village", "村务监督委员会审核")]
    if form.validate_on_submit():
        save_settings(county.code, {name: getattr(form, name).data for name in EDITABLE}, by=current_user)
        flash(f"已保存{county.name}的设置", "success")
        return redirect(url_for(".settings_index"))
    return render_template("admin/settings_edit.html", county=county, form=form), 422 if form.errors else 200
