"""Every route × every role, anonymous included. A new route without an entry here fails."""
import pytest
from support import csrf_from, publish_ledger_row

from core.users.models import Role

PUBLIC = "public"
ANY_STAFF = frozenset(Role)

# endpoint → who may use it (PUBLIC, or the set of roles).
ACCESS = {
    "static": PUBLIC,
    "portal.index": PUBLIC,
    "portal.region": PUBLIC,
    "portal.search": PUBLIC,
    "portal.text_size": PUBLIC,
    "portal.ledger": PUBLIC,
    "portal.subsidies": PUBLIC,
    "portal.projects": PUBLIC,
    "portal.project": PUBLIC,
    "portal.contracts": PUBLIC,
    "portal.revisions": PUBLIC,
    "portal.report": PUBLIC,
    "portal.table_download": PUBLIC,
    "portal.ledger_pdf": PUBLIC,
    "portal.subsidies_pdf": PUBLIC,
    "portal.lookup": PUBLIC,
    "portal.kiosk_start": PUBLIC,
    "portal.kiosk_exit": PUBLIC,
    "auth.login": PUBLIC,
    "auth.logout": ANY_STAFF,
    "admin.home": ANY_STAFF,
    "admin.users": {Role.ADMIN},
    "admin.user_new": {Role.ADMIN},
    "admin.user_edit": {Role.ADMIN},
    "admin.user_set_enabled": {Role.ADMIN},
    "admin.user_reset_password": {Role.ADMIN},
    "admin.audit": {Role.ADMIN},
    "admin.calendar": {Role.ADMIN},
    "admin.settings_index": {Role.ADMIN},
    "admin.settings_edit": {Role.ADMIN},
    "admin.dashboard": {Role.HANDLER, Role.INSPECTOR, Role.ADMIN},
    "admin.case_file": {Role.HANDLER, Role.INSPECTOR, Role.ADMIN},
    "admin.queue_export": {Role.HANDLER, Role.INSPECTOR, Role.ADMIN},
    "admin.monthly_report": {Role.HANDLER, Role.INSPECTOR, Role.ADMIN},
    "disclosures.home": {Role.ACCOUNTANT, Role.REVIEWER, Role.HANDLER, Role.ADMIN},
    "disclosures.upload": {Role.ACCOUNTANT, Role.ADMIN},
    "disclosures.upload_confirm": {Role.ACCOUNTANT, Role.ADMIN},
    "disclosures.empty_month": {Role.ACCOUNTANT, Role.ADMIN},
    "disclosures.enter": {Role.ACCOUNTANT, Role.ADMIN},
    "disclosures.batch": {Role.ACCOUNTANT, Role.REVIEWER, Role.HANDLER, Role.ADMIN},
    "disclosures.review": {Role.REVIEWER, Role.ADMIN},
    "disclosures.correct": {Role.ACCOUNTANT, Role.ADMIN},
    "qr.follow": PUBLIC,
    "qr.round_village": PUBLIC,
    "qr.village_poster": PUBLIC,
    "qr.project_poster": PUBLIC,
    "rounds_admin.index": {Role.ADMIN},
    "rounds_admin.create": {Role.ADMIN},
    "rounds_admin.edit": {Role.ADMIN},
    "rounds_admin.notice_pdf": {Role.ADMIN},
    "complaints.complain": PUBLIC,
    "complaints.track": PUBLIC,
    "complaints.case": PUBLIC,
    "complaints.rate": PUBLIC,
    "complaints.review": PUBLIC,
    "complaints.leave": PUBLIC,
    "complaints.attachment": PUBLIC,
    "complaints.stats": PUBLIC,
    "complaints_staff.new": {Role.HANDLER, Role.ADMIN},
    "complaints_staff.registered": {Role.HANDLER, Role.ADMIN},
    "admin.case_queue": {Role.HANDLER, Role.INSPECTOR, Role.ADMIN},
    "admin.case_view": {Role.HANDLER, Role.INSPECTOR, Role.ADMIN},
    "admin.reminders": {Role.HANDLER, Role.INSPECTOR, Role.ADMIN},
    "admin.case_conflict": {Role.HANDLER, Role.INSPECTOR, Role.ADMIN},
    "admin.case_assign": {Role.HANDLER, Role.INSPECTOR},
    "admin.case_reply": {Role.HANDLER, Role.INSPECTOR},
    "admin.case_note": {Role.HANDLER, Role.INSPECTOR},
    "admin.case_refer": {Role.HANDLER, Role.INSPECTOR},
    "admin.case_referral_answer": {Role.HANDLER, Role.INSPECTOR},
    "admin.case_material": {Role.HANDLER, Role.INSPECTOR},
    "admin.case_extension": {Role.HANDLER, Role.INSPECTOR},
    "admin.case_merge": {Role.HANDLER, Role.INSPECTOR},
    "admin.case_close": {Role.HANDLER, Role.INSPECTOR},
    "admin.case_feedback": {Role.HANDLER, Role.INSPECTOR},
    "admin.case_reopen": {Role.HANDLER, Role.INSPECTOR},
    "admin.case_identity_request": {Role.HANDLER, Role.INSPECTOR},
    "admin.case_identity_reveal": {Role.HANDLER, Role.INSPECTOR},
    # Leads only (a handler with the lead flag): the matrix's handler is no lead, so every role
    # gets 403 here; tests/admin/test_case_routes.py checks that a lead gets through.
    "admin.approvals": set(),
    "admin.case_identity_decide": set(),
    "admin.case_extension_decide": set(),
    "admin.departments": {Role.ADMIN},
    "admin.department_set_active": {Role.ADMIN},
    "admin.reply_templates": {Role.ADMIN},
    "admin.reply_template_edit": {Role.ADMIN},
    "admin.reply_template_delete": {Role.ADMIN},
}

SCOPES = {
    Role.ACCOUNTANT: ["629901101201"],
    Role.REVIEWER: ["629901101000"],
    Role.HANDLER: ["629901000000"],
    Role.INSPECTOR: [],
    Role.ADMIN: [],
}


def test_every_route_has_an_access_entry(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints - ACCESS.keys() == set(), "add the new routes to ACCESS"
    assert ACCESS.keys() - endpoints == set(), "ACCESS names routes that no longer exist"


def _published_ledger_row():
    """A published ledger row in 青山村, for the routes that take a batch or a row."""
    return publish_ledger_row("629901101201")


def _inspection_round_id() -> int:
    """A round over 青山村, made once, for the routes that take a round id."""
    from datetime import date

    from sqlalchemy import select

    from complaints.models import InspectionRound
    from core.extensions import db
    from core.regions.models import Region

    found = db.session.scalar(select(InspectionRound.id))
    if found is None:
        inspection = InspectionRound(name="2026年第三轮巡察", team_name="县委第一巡察组", county_code="629901000000",
                                     starts_on=date(2026, 10, 8), ends_on=date(2026, 11, 7),
                                     villages=[db.session.get(Region, "629901101201")])
        db.session.add(inspection)
        db.session.commit()
        found = inspection.id
    return found


def _visible_case_id() -> int:
    """A case in 青山村 the signed-in actor may see, made once: an inspector sees only the reports
    of a round that is running and has them on its team; everyone else gets a plain case."""
    from datetime import timedelta

    from sqlalchemy import select

    from complaints.models import Category, Channel, Complaint, InspectionRound
    from complaints.services import file_complaint
    from core.db import utcnow
    from core.extensions import db
    from core.regions.models import Region
    from core.timezone import local_date
    from core.users.models import User

    marker = "路由权限测试案件"
    found = db.session.scalar(select(Complaint.id).where(Complaint.text == marker))
    if found is None:
        actor = db.session.scalar(select(User).where(User.username == "actor"))
        village, round_id = db.session.get(Region, "629901101201"), None
        if actor is not None and actor.role == Role.INSPECTOR:
            today = local_date(utcnow())
            running = InspectionRound(name="本轮巡察", team_name="县委第二巡察组", county_code="629901000000",
                                      starts_on=today - timedelta(days=1), ends_on=today + timedelta(days=30),
                                      members=[actor], villages=[village])
            db.session.add(running)
            db.session.commit()
            round_id = running.id
        filed = file_complaint(village=village, category=Category.FUNDS, text=marker, channel=Channel.WEB,
                               identity=None, round_id=round_id)
        found = db.session.scalar(select(Complaint.id).where(Complaint.code == filed.code))
    return found


def _department_id() -> int:
    """A department of 青川县, made once, for the routes that take a department id."""
    from sqlalchemy import select

    from admin.models import Department
    from core.extensions import db

    found = db.session.scalar(select(Department.id))
    if found is None:
        department = Department(county_code="629901000000", name="县农业农村局")
        db.session.add(department)
        db.session.commit()
        found = department.id
    return found


def _reply_template_id() -> int:
    """A reply template, made once, for the routes that take a template id."""
    from sqlalchemy import select

    from admin.models import ReplyTemplate
    from core.extensions import db

    found = db.session.scalar(select(ReplyTemplate.id))
    if found is None:
        template = ReplyTemplate(category="", title="通用答复", body="您反映的问题已收到。")
        db.session.add(template)
        db.session.commit()
        found = template.id
    return found


def _sample_url(app, rule, target_user_id: int, row) -> str:
    values = {"code": "629901101201", "user_id": target_user_id, "filename": "css/site.css",
              "project_no": "XM-001", "table": "ledger", "fmt": "csv",
              "token": "7KD3QX", "round_id": _inspection_round_id(),
              "case_id": _visible_case_id(),
              "department_id": _department_id(), "template_id": _reply_template_id(),
              "county_code": "629901000000", "batch_id": row.batch_id, "row_id": row.id, "kind": "ledger"}
    with app.test_request_context():
        return app.url_for(rule.endpoint, **{arg: values[arg] for arg in rule.arguments})


@pytest.mark.parametrize("role", [None, *Role], ids=lambda r: r.value if r else "anonymous")
def test_route_access_matrix(app, client, township_tree, make_user, login, role):
    target = make_user("target", role="handler", regions=["629901000000"])
    row = _published_ledger_row()
    if role is not None:
        make_user("actor", role=role.value, regions=SCOPES[role])
        assert login("actor").status_code == 302
    # A valid CSRF token on every POST, so that what is tested is the role check behind it.
    token = csrf_from(client.get("/admin/" if role else "/staff/login").text)
    # Sign-out last: it ends the session the other checks run in.
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.endpoint == "auth.logout"):
        allowed = ACCESS[rule.endpoint]
        url = _sample_url(app, rule, target.id, row)
        method = "GET" if "GET" in rule.methods else "POST"
        with client.open(url, method=method, data={"csrf_token": token}) as response:
            status = response.status_code
        if allowed == PUBLIC:
            assert status < 500 and status not in (401, 403), (rule.endpoint, status)
        elif role is None:
            assert status == 302, (rule.endpoint, status)  # to the login page
        elif role in allowed:
            assert status not in (401, 403, 404, 500), (rule.endpoint, role, status)
        else:
            assert status == 403, (rule.endpoint, role, status)
