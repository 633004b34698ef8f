"""The holiday calendar in the back office: coverage, the yearly reminder, loading a schedule."""

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from admin.forms import CalendarLoadForm
from core.views import Views
from core.calendar import queries
from core.calendar.reminders import schedule_reminder
from core.calendar.workdays import covered_years
from core.calendar.services import load_calendar_file
from core.db import utcnow
from core.problems import Rejected
from core.timezone import local_date
from core.users.access import role_required
from core.users.models import Role

views = Views()


@views.route("/calendar", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def calendar():
    form = CalendarLoadForm()
    problems = []
    if form.validate_on_submit():
        try:
            summary = load_calendar_file(form.file.data.read(), actor=current_user)
        except Rejected as rejected:
            problems = rejected.problems
        else:
            flash(f"已载入：{summary}", "success")
            return redirect(url_for(".calendar"))
    today = local_date(utcnow())
    return render_template(
        "admin/calendar.html",
        form=form,
        problems=problems,
        coverage=queries.year_coverage(),
        today=today,
        reminder=schedule_reminder(today, covered_years()),
    ), 422 if problems else 200
