"""Every route × every role, anonymous included. A new route without an entry here fails."""

import pytest
from support import csrf_from, csv_rows, publish_ledger_row, stage_project

from core.users.models import Role

PUBLIC = "public"
ANY_STAFF = frozenset(Role)

# endpoint → who may use it (PUBLIC, or the set of roles).
ACCESS = {
    "static": PUBLIC,
    "favicon": PUBLIC,
    "health.healthz": PUBLIC,
    "health.readyz": PUBLIC,
    "portal.index": PUBLIC,
    "portal.region": PUBLIC,
    "portal.search": PUBLIC,
    "portal.text_size": PUBLIC,
    "portal.ledger": PUBLIC,
    "portal.subsidies": PUBLIC,
    "portal.projects": PUBLIC,
    "portal.project": PUBLIC,
    "portal.project_photo": PUBLIC,
    "portal.contracts": PUBLIC,
    "portal.revisions": PUBLIC,
    "portal.report": PUBLIC,
    "portal.table_download": PUBLIC,
    "portal.ledger_pdf": PUBLIC,
    "portal.subsidies_pdf": PUBLIC,
    "portal.lookup": PUBLIC,
    "portal.kiosk_start": PUBLIC,
    "portal.kiosk_exit": PUBLIC,
    "kiosk_reset.token": PUBLIC,
    "kiosk_reset.reset": PUBLIC,
    "auth.login": PUBLIC,
    "auth.code": PUBLIC,  # only with a pending sign-in, else back to the login page
    "auth.enrol": PUBLIC,  # likewise, or for a signed-in account setting up TOTP
    "auth.logout": ANY_STAFF,
    "admin.home": ANY_STAFF,
    "admin.users": {Role.ADMIN},
    "admin.user_new": {Role.ADMIN},
    "admin.user_edit": {Role.ADMIN},
    "admin.user_set_enabled": {Role.ADMIN},
    "admin.user_reset_password": {Role.ADMIN},
    "admin.audit": {Role.ADMIN},
    "admin.notices": {Role.ADMIN},
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
    "disclosures.upload_cancel": {Role.ACCOUNTANT, Role.ADMIN},
    "disclosures.upload_preview": {Role.ACCOUNTANT, Role.ADMIN},
    "disclosures.template_download": {Role.ACCOUNTANT, Role.ADMIN},
    "disclosures.photo_add": {Role.ACCOUNTANT, Role.ADMIN},
    "disclosures.photo_view": {Role.ACCOUNTANT, Role.REVIEWER, Role.HANDLER, Role.ADMIN},
    "disclosures.photo_remove": {Role.ACCOUNTANT, Role.ADMIN},
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
    "complaints.mine": PUBLIC,
    "complaints.material": PUBLIC,
    "complaints_staff.new": {Role.HANDLER, Role.ADMIN},
    "complaints_staff.registered": {Role.HANDLER, Role.ADMIN},
    "admin.case_queue": {Role.HANDLER, Role.INSPECTOR, Role.ADMIN},
    "admin.case_view": {Role.HANDLER, Role.INSPECTOR, Role.ADMIN},
    "admin.reminders": {Role.HANDLER, Role.INSPECTOR, Role.ADMIN},
    "admin.case_conflict": {Role.HANDLER, Role.INSPECTOR, Role.ADMIN},
    "admin.case_assign": {Role.HANDLER, Role.INSPECTOR},
    "admin.cases_bulk_assign": {Role.HANDLER, Role.INSPECTOR},
    "admin.case_reply": {Role.HANDLER, Role.INSPECTOR},
    "admin.case_note": {Role.HANDLER, Role.INSPECTOR},
    "admin.case_refer": {Role.HANDLER, Role.INSPECTOR},
    "admin.case_referral_answer": {Role.HANDLER, Role.INSPECTOR},
    "admin.case_material": {Role.HANDLER, Role.INSPECTOR},
    "admin.case_extension": {Role.HANDLER, Role.INSPECTOR},
    "admin.case_referral_extension": {Role.HANDLER, Role.INSPECTOR},
    "admin.case_merge": {Role.HANDLER, Role.INSPECTOR},
    "admin.case_close": {Role.HANDLER, Role.INSPECTOR},
    "admin.case_feedback": {Role.HANDLER, Role.INSPECTOR},
    "admin.case_verify": {Role.HANDLER, Role.INSPECTOR},
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
    # Rosters: administrators and county handler leads (tests/rules/test_roster_pages.py checks a lead).
    "rules.rosters": {Role.ADMIN},
    "rules.roster_upload": {Role.ADMIN},
    "rules.roster_confirm": {Role.ADMIN},
    "rules.roster_version": {Role.ADMIN},
    "rules.index": {Role.ADMIN},
    "rules.run": {Role.ADMIN},
    "rules.settings": {Role.ADMIN},
    "rules.custom_new": {Role.ADMIN},
    "rules.custom_edit": {Role.ADMIN},
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


def _made_once(model, make) -> int:
    """The id of `model`'s first row; when there is none, `make()` adds one and returns its id."""
    from sqlalchemy import select

    from core.extensions import db

    found = db.session.scalar(select(model.id))
    return make() if found is None else found


def _added(row) -> int:
    """Add a row and commit; its id."""
    from core.extensions import db

    db.session.add(row)
    db.session.commit()
    return row.id


def _inspection_round_id() -> int:
    """A round over 青山村, made once, for the routes that take a round id."""
    from datetime import date

    from complaints.models import InspectionRound
    from core.extensions import db
    from core.regions.models import Region

    return _made_once(
        InspectionRound,
        lambda: _added(
            InspectionRound(
                name="2026年第三轮巡察",
                team_name="县委第一巡察组",
                county_code="629901000000",
                starts_on=date(2026, 10, 8),
                ends_on=date(2026, 11, 7),
                villages=[db.session.get(Region, "629901101201")],
            )
        ),
    )


def _visible_case_id() -> int:
    """A case in 青山村 the signed-in actor may see, made once: an inspector sees only the reports
    of a round that is running and has them on its team; everyone else gets a plain case."""
    from sqlalchemy import select

    from complaints.models import Category, Channel, Complaint
    from complaints.services import file_complaint
    from core.extensions import db
    from core.regions.models import Region
    from core.users.models import User
    from factories import running_round

    marker = "路由权限测试案件"
    found = db.session.scalar(select(Complaint.id).where(Complaint.text == marker))
    if found is None:
        actor = db.session.scalar(select(User).where(User.username == "actor"))
        village, round_id = db.session.get(Region, "629901101201"), None
        if actor is not None and actor.role == Role.INSPECTOR:
            round_id = running_round([actor], [village]).id
        filed = file_complaint(
            village=village, category=Category.FUNDS, text=marker, channel=Channel.WEB, identity=None, round_id=round_id
        )
        found = db.session.scalar(select(Complaint.id).where(Complaint.code == filed.code))
    return found


def _department_id() -> int:
    """A department of 青川县, made once, for the routes that take a department id."""
    from admin.models import Department

    return _made_once(Department, lambda: _added(Department(county_code="629901000000", name="县农业农村局")))


def _reply_template_id() -> int:
    """A reply template, made once, for the routes that take a template id."""
    from admin.models import ReplyTemplate

    return _made_once(
        ReplyTemplate, lambda: _added(ReplyTemplate(category="", title="通用答复", body="您反映的问题已收到。"))
    )


def _roster_version_id() -> int:
    """A small deceased roster, imported once, for the routes that take a roster version."""
    from rules.rosters.models import RosterKind, RosterVersion
    from rules.rosters.services import import_roster

    return _made_once(
        RosterVersion,
        lambda: (
            import_roster(
                RosterKind.DECEASED,
                "姓名,身份证号,死亡日期\n张三,11010519491231002X,2025-04-14\n".encode(),
                "deceased.csv",
            ).version.id
        ),
    )


def _custom_rule_id() -> int:
    """A saved custom rule, made once, for the routes that take one."""
    from rules.custom.models import CustomRule
    from rules.custom.services import save_custom_rule

    return _made_once(
        CustomRule,
        lambda: (
            save_custom_rule(
                None,
                code="BIG_LEDGER",
                kind="form",
                title="大额支出",
                description="单笔支出超过10万元",
                grade=3,
                is_enabled=True,
                by=None,
                definition={
                    "base": "ledger_entries",
                    "subject": "对方单位",
                    "join": None,
                    "key": None,
                    "conditions": [{"column": "ledger_entries.amount", "op": "gt", "value": "100000"}],
                },
            ).id
        ),
    )


def _project_photo() -> tuple[int, int, str]:
    """A project update awaiting review with one site photo: (update id, photo id, stored name)."""

    from sqlalchemy import select

    from core.extensions import db
    from core.users.models import User
    from disclosures.models import Kind, ProjectPhoto
    from disclosures.photos import add_photo

    found = db.session.scalar(select(ProjectPhoto))
    if found is None:
        batch = stage_project("629901101201")
        update = db.session.scalar(
            select(batch_rows_model(Kind.PROJECTS)).where(batch_rows_model(Kind.PROJECTS).batch_id == batch.id)
        )
        found = add_photo(update, _png(), "a.png", "", by=db.session.scalar(select(User)))
    return found.update_id, found.id, found.stored_name


def batch_rows_model(kind):
    from disclosures.models import ROW_MODELS

    return ROW_MODELS[kind]


def _sample_url(app, rule, target_user_id: int, row) -> str:
    values = {
        "code": "629901101201",
        "user_id": target_user_id,
        "filename": "css/site.css",
        "project_no": "XM-001",
        "table": "ledger",
        "fmt": "csv",
        "token": "7KD3QX",
        "round_id": _inspection_round_id(),
        "case_id": _visible_case_id(),
        "department_id": _department_id(),
        "template_id": _reply_template_id(),
        "version_id": _roster_version_id(),
        "rule_id": _custom_rule_id(),
        "county_code": "629901000000",
        "batch_id": row.batch_id,
        "row_id": row.id,
        "kind": "ledger",
    }
    if {"update_id", "photo_id"} & set(rule.arguments):
        values["update_id"], values["photo_id"], _ = _project_photo()
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
    # Sign-out last: it ends the session the other checks run in. A page with a form is also
    # posted to (a bare, invalid post changes nothing), so the check behind the POST is tested too.
    probes = [
        (rule, method)
        for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.endpoint == "auth.logout")
        for method in ("GET", "POST")
        if method in rule.methods
    ]
    for rule, method in probes:
        allowed = ACCESS[rule.endpoint]
        url = _sample_url(app, rule, target.id, row)
        with client.open(url, method=method, data={"csrf_token": token}) as response:
            status = response.status_code
        if allowed == PUBLIC:
            assert status < 500 and status not in (401, 403), (rule.endpoint, method, status)
        elif role is None:
            assert status == 302, (rule.endpoint, method, status)  # to the login page
        elif role in allowed:
            assert status not in (401, 403, 404, 500), (rule.endpoint, method, role, status)
        else:
            assert status == 403, (rule.endpoint, method, role, status)


# Beside the role matrix, the same routes for people whose answer depends on the object: a
# township administrator, a handler of the township, one who stepped off a case (recused), the
# county lead, the inspector of a running round and one outside it, an accountant. Cases: one in
# the township, one in another township, one reported through the running round, each with a photo.
SEES = {
    "near": {"handler", "lead", "town_admin"},
    "far": {"lead"},
    "round": {"inspector", "town_admin"},
}  # administrators only look, whatever the round
ACTORS = ["town_admin", "handler", "recused", "lead", "inspector", "outsider", "kuaiji"]
WORKERS = {"handler", "recused", "lead", "inspector", "outsider"}  # roles that act on cases
CASE_VIEWERS = WORKERS | {"town_admin"}
DISCLOSURE_STAFF = {"town_admin", "handler", "recused", "lead", "kuaiji"}


@pytest.fixture
def world(app, township_tree, make_user):

    from sqlalchemy import select

    from admin.cases.actions import declare_conflict
    from complaints.attachments import clean_photo, file_with_attachments
    from complaints.models import Category, Channel, Complaint
    from complaints.services import Identity
    from core.extensions import db
    from core.regions.models import Region
    from factories import running_round

    users = {
        "town_admin": make_user("town_admin", "admin", ["629901101000"]),
        "handler": make_user("handler", "handler", ["629901101000"]),
        "recused": make_user("recused", "handler", ["629901101000"]),
        "lead": make_user("lead", "handler", ["629901000000"], is_lead=True),
        "inspector": make_user("inspector", "inspector"),
        "outsider": make_user("outsider", "inspector"),
        "kuaiji": make_user("kuaiji", "accountant", ["629901101201"]),
        "far_kuaiji": make_user("far_kuaiji", "accountant", ["629901102201"]),
    }
    running = running_round([users["inspector"]], [db.session.get(Region, "629901101201")])
    photo = clean_photo(_png())
    cases = {}
    for name, village, extra in (
        ("near", "629901101201", {}),
        ("far", "629901102201", {}),
        ("round", "629901101201", {"round_id": running.id, "channel": Channel.INSPECTION}),
    ):
        filed = file_with_attachments(
            [photo],
            village=db.session.get(Region, village),
            category=Category.FUNDS,
            text="修路款去向不明",
            identity=Identity("段凤", "13800138000"),
            **{"channel": Channel.WEB} | extra,
        )
        cases[name] = db.session.scalar(select(Complaint).where(Complaint.code == filed.code))
    declare_conflict(cases["near"], "反映对象是我的亲属", by=users["recused"])
    rows = {"near": publish_ledger_row("629901101201"), "far": publish_ledger_row("629901102201")}
    ids = {f"{name}_case": case.id for name, case in cases.items()}
    ids |= {f"{name}_file": case.attachments[0].token for name, case in cases.items()}
    ids |= {f"{name}_row": row.id for name, row in rows.items()}
    ids |= {f"{name}_batch": row.batch_id for name, row in rows.items()}
    ids |= {f"{name}_user": user.id for name, user in users.items()}
    return {"ids": ids, "codes": {name: case.code for name, case in cases.items()}}


def _png() -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 40), (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


def _expected(actor: str) -> dict[tuple[str, str], int]:
    """(method, url) → the status this actor gets: written out from the rules as the issue states them."""
    expected = {}
    for name, seers in SEES.items():
        sees = actor in seers
        expected[("GET", f"/admin/cases/{{{name}_case}}")] = 200 if sees else 403 if actor not in CASE_VIEWERS else 404
        expected[("GET", f"/track/attachments/{{{name}_file}}")] = 200 if sees else 404
        expected[("GET", f"/admin/cases/{{{name}_case}}/file.pdf")] = (
            200 if sees else 403 if actor not in CASE_VIEWERS else 404
        )
        # Acting on a case: workers who see it; administrators only look (403), unseen is unknown (404).
        expected[("POST", f"/admin/cases/{{{name}_case}}/note")] = (
            302 if sees and actor in WORKERS else 403 if actor not in WORKERS else 404
        )
        expected[("POST", f"/admin/cases/{{{name}_case}}/identity/request")] = expected[
            ("POST", f"/admin/cases/{{{name}_case}}/note")
        ]
    admin = actor == "town_admin"
    for account, inside in (("kuaiji", True), ("far_kuaiji", False), ("lead", False)):
        reach = 403 if not admin else None
        expected[("GET", f"/admin/users/{{{account}_user}}")] = reach or (200 if inside else 404)
        expected[("POST", f"/admin/users/{{{account}_user}}/reset-password")] = reach or (200 if inside else 404)
        expected[("POST", f"/admin/users/{{{account}_user}}/enabled")] = reach or (302 if inside else 404)
    writer = actor in ("town_admin", "kuaiji")
    for name, inside in (("near", True), ("far", False)):
        expected[("GET", f"/disclosures/rows/ledger/{{{name}_row}}/correct")] = (
            403 if not writer else 200 if inside else 404
        )
        sees_batch = actor in DISCLOSURE_STAFF and (inside or actor == "lead")
        expected[("GET", f"/disclosures/batches/{{{name}_batch}}")] = (
            403 if actor not in DISCLOSURE_STAFF else 200 if sees_batch else 404
        )
    return expected


DATA = {
    "note": {"note": "已电话联系村委"},
    "identity/request": {"identity_reason": "需电话核实细节"},
    "enabled": {"enable": "1"},
}


@pytest.mark.parametrize("actor", ACTORS)
def test_scoped_access_matrix(client, world, login, actor):
    assert login(actor).status_code == 302
    token = csrf_from(client.get("/admin/").text)
    for (method, template), status in _expected(actor).items():
        url = template.format(**world["ids"])
        data = {"csrf_token": token} | DATA.get(template.rsplit("}/", 1)[-1], {})
        with client.open(url, method=method, data=data) as response:
            assert response.status_code == status, (actor, method, template, response.status_code)


@pytest.mark.parametrize("actor", ACTORS)
def test_disclosure_writes_stay_in_scope(client, world, login, actor):
    """Posting an empty month, a typed row or a file for a village outside the actor's scope."""
    import io

    assert login(actor).status_code == 302
    token = csrf_from(client.get("/admin/").text)
    writer = actor in ("town_admin", "kuaiji")
    for village, inside in (("629901101201", True), ("629901102201", False)):
        empty = client.post(
            "/disclosures/empty-month", data={"csrf_token": token, "village": village, "period": "2026-09"}
        )
        assert empty.status_code == (403 if not writer else 302 if inside else 403), (actor, village)
        entered = client.post(
            "/disclosures/enter/ledger",
            data={
                "csrf_token": token,
                "村代码": village,
                "日期": "2026/10/8",
                "凭证号": f"记2026-{village[-3:]}",
                "收支": "支出",
                "科目": "公益支出",
                "摘要": "路灯维修",
                "金额": "12",
                "对方单位": "",
                "关联编号": "",
            },
        )
        assert entered.status_code == (403 if not writer else 302 if inside else 422), (actor, village)
        ledger = f"村代码,日期,凭证号,收支,科目,摘要,金额,对方单位,关联编号\n{village},2026-11-05,记-9,支出,管理费用,办公用品,1,,\n"
        uploaded = client.post(
            "/disclosures/upload",
            content_type="multipart/form-data",
            data={
                "csrf_token": token,
                "kind": "ledger",
                "period": "2026-11",
                "file": (io.BytesIO(ledger.encode()), "11月.csv"),
            },
        )
        assert uploaded.status_code == (403 if not writer else 200 if inside else 422), (actor, village)


@pytest.mark.parametrize("actor", ["town_admin", "handler", "recused", "lead", "inspector", "outsider"])
def test_queue_export_lists_only_the_cases_the_actor_may_see(client, world, login, actor):
    assert login(actor).status_code == 302
    listed = {row[0] for row in csv_rows(client.get("/admin/cases/export.csv"))[1:]}
    assert listed == {world["codes"][name] for name, seers in SEES.items() if actor in seers}
