import re

import pytest
from support import csrf_from, signed_in_client, statutory_rest_rows
from sqlalchemy import select, text

from core.audit import AuditEntry
from core.extensions import db
from core.users import services
from core.users.models import Role, User


@pytest.fixture
def admin_client(client, township_tree, make_user, login):
    make_user("root", role="admin")
    login("root")
    return client


def _post(client, url, data):
    token = csrf_from(client.get("/admin/users/new").text)
    return client.post(url, data={**data, "csrf_token": token})


def test_admin_creates_an_accountant_and_sees_the_password_once(admin_client):
    response = _post(
        admin_client,
        "/admin/users/new",
        {
            "username": "kuaiji1",
            "display_name": "王会计",
            "role": "accountant",
            "region_codes": "629901101201\n629901101202",
        },
    )
    assert response.status_code == 200 and "只显示这一次" in response.text
    user = db.session.scalar(select(User).where(User.username == "kuaiji1"))
    assert [r.code for r in user.regions] == ["629901101201", "629901101202"]
    password = response.text.split('class="secret-box">')[1].split("<")[0]
    assert services.authenticate("kuaiji1", password) is not None
    entry = db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "user.create", AuditEntry.target_id == str(user.id))
    )
    assert entry.actor_name == "root" and entry.detail_dict["username"] == "kuaiji1"
    assert password not in entry.detail


@pytest.mark.parametrize(
    "role,codes,message",
    [
        ("accountant", "629901101000", "村报账员的范围不能是乡镇级"),
        ("handler", "629901101201", "纪委监委工作人员的范围不能是村级"),
        ("accountant", "", "村报账员必须指定管辖范围"),
        ("accountant", "629901999999", "不存在"),
    ],
)
def test_scope_must_fit_the_role(admin_client, role, codes, message):
    response = _post(admin_client, "/admin/users/new", {"username": "x", "role": role, "region_codes": codes})
    assert message in response.text
    assert db.session.scalar(select(User).where(User.username == "x")) is None


def test_only_handlers_can_be_leads(app, township_tree):
    with pytest.raises(services.AccountError, match="负责人"):
        services.create_user("r", role=Role.REVIEWER, region_codes=["629901101000"], is_lead=True)


def test_changing_scope_is_audited_with_before_and_after(admin_client, make_user):
    user = make_user("h1", role="handler", regions=["629901101000"])
    response = _post(
        admin_client,
        f"/admin/users/{user.id}",
        {"username": "h1", "role": "handler", "region_codes": "629901000000", "is_lead": "y"},
    )
    assert response.status_code == 302
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.update"))
    assert entry.detail_dict["before"]["regions"] == ["629901101000"]
    assert entry.detail_dict["after"] == {
        "role": "handler",
        "regions": ["629901000000"],
        "is_lead": True,
        "display_name": "",
        "email": "",
    }


def test_an_email_address_is_checked_kept_and_audited_without_ending_sessions(admin_client, make_user):
    user = make_user("h1", role="handler", regions=["629901101000"])
    token = user.session_token
    form = {"username": "h1", "role": "handler", "region_codes": "629901101000"}
    refused = _post(admin_client, f"/admin/users/{user.id}", form | {"email": "wang at jiwei"})
    assert refused.status_code == 200 and "邮箱地址格式不对" in refused.text
    assert (
        _post(admin_client, f"/admin/users/{user.id}", form | {"email": " wang@JiWei.Example.cn "}).status_code == 302
    )
    db.session.expire_all()
    changed = db.session.get(User, user.id)
    assert changed.email == "wang@jiwei.example.cn"
    assert changed.session_token == token  # an address is not a power: the handler stays signed in
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.update"))
    assert (entry.detail_dict["before"]["email"], entry.detail_dict["after"]["email"]) == ("", "wang@jiwei.example.cn")


def test_the_command_line_takes_an_email_address_and_refuses_a_bad_one(app, cli, township_tree):
    result = cli.invoke(
        args=["users", "create", "h2", "--role", "handler", "--region", "629901101000", "--email", "li@example.cn"]
    )
    assert result.exit_code == 0
    assert db.session.scalar(select(User.email).where(User.username == "h2")) == "li@example.cn"
    bad = cli.invoke(args=["users", "create", "h3", "--role", "handler", "--region", "629901101000", "--email", "li@"])
    assert bad.exit_code == 1 and "邮箱地址「li@」格式不对" in bad.output + (bad.stderr or "")
    assert db.session.scalar(select(User).where(User.username == "h3")) is None


def test_admin_disables_and_reenables(admin_client, make_user):
    user = make_user("h1", role="handler", regions=["629901101000"])
    _post(admin_client, f"/admin/users/{user.id}/enabled", {"enable": "0"})
    db.session.expire_all()
    assert db.session.get(User, user.id).is_enabled is False
    _post(admin_client, f"/admin/users/{user.id}/enabled", {"enable": "1"})
    db.session.expire_all()
    assert db.session.get(User, user.id).is_enabled is True
    actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.target_id == str(user.id)))
    assert {"user.disable", "user.enable"} <= set(actions)


def test_admin_cannot_disable_themselves(admin_client):
    root = db.session.scalar(select(User).where(User.username == "root"))
    response = _post(admin_client, f"/admin/users/{root.id}/enabled", {"enable": "0"})
    assert "不能停用自己的账号" in admin_client.get(response.headers["Location"]).text
    db.session.expire_all()
    assert db.session.get(User, root.id).is_enabled


def test_reset_password_shows_a_new_one(admin_client, make_user):
    user = make_user("h1", role="handler", regions=["629901101000"])
    response = _post(admin_client, f"/admin/users/{user.id}/reset-password", {})
    password = response.text.split('class="secret-box">')[1].split("<")[0]
    db.session.expire_all()
    assert services.authenticate("h1", password) is not None
    assert services.authenticate("h1", "pw-for-tests-1") is None


def test_audit_log_is_filterable(admin_client, make_user):
    make_user("h1", role="handler", regions=["629901101000"])
    page = admin_client.get("/admin/audit?action=user.create")
    assert page.status_code == 200 and "h1" in page.text and "登录" not in page.text.split("<tbody>")[1]
    assert "root" in admin_client.get("/admin/audit?actor=roo").text
    assert "没有符合条件的记录" in admin_client.get("/admin/audit?date_from=2999-01-01").text


def test_audit_entries_cannot_be_changed_or_deleted(app, make_user):
    make_user("h1", role="admin")
    db.session.commit()
    for statement in ("UPDATE audit_entries SET action = 'x'", "DELETE FROM audit_entries"):
        with pytest.raises(Exception, match="append-only"):
            with db.engine.begin() as connection:
                connection.execute(text(statement))
    assert db.session.scalar(select(AuditEntry.action)) == "user.create"


def test_users_cli_creates_first_admin(cli):
    result = cli.invoke(args=["users", "create", "first", "--role", "admin"])
    assert result.exit_code == 0, result.output
    password = result.output.strip().split("密码：")[1]
    assert services.authenticate("first", password).role == "admin"


def test_users_cli_reports_bad_scope(cli):
    result = cli.invoke(args=["users", "create", "k", "--role", "accountant", "--region", "123"])
    assert result.exit_code != 0 and "不存在" in result.output


def test_admin_loads_a_holiday_schedule(admin_client):
    import io

    token = csrf_from(admin_client.get("/admin/calendar").text)

    def load(rows: str):
        return admin_client.post(
            "/admin/calendar",
            data={"csrf_token": token, "confirm": "y", "file": (io.BytesIO(f"日期,类型\n{rows}".encode()), "2031.csv")},
        )

    bad = load("2031-02-30,休息\n")
    assert bad.status_code == 422 and "第2行" in bad.text
    partial = load("2031-10-01,休息\n2031-09-28,上班\n")
    assert partial.status_code == 422 and "不是全年的节假日安排" in partial.text
    assert "2031年" not in admin_client.get("/admin/calendar").text
    good = load("\n".join(("2031-09-28,上班",) + statutory_rest_rows(2031)))
    assert good.status_code == 302
    page = admin_client.get("/admin/calendar").text
    assert "2031" in page and "管理员载入" in page


def test_every_audited_action_has_a_chinese_label():
    import re

    from admin.cases.actions import REPLY_KINDS
    from core.audit import ACTION_LABELS
    from support import REPO

    found = {f"case.{kind}" for kind in REPLY_KINDS}
    for package in ("core", "admin", "complaints", "disclosures", "portal"):
        for path in (REPO / package).rglob("*.py"):
            source = path.read_text()
            found |= set(re.findall(r'record_audit\(\s*"([a-z_.]+)"', source))
            found |= set(re.findall(r'"([a-z_]+\.(?:enable|disable))"', source))
            found |= {f"case.{name}" for name in re.findall(r'log_case\(case, "([a-z_]+)"', source)}
    assert sorted(found - ACTION_LABELS.keys()) == []


def test_admin_switches_review_off_and_names_on_for_a_county(admin_client):
    from core.settings import settings_for

    page = admin_client.get("/admin/settings/629901000000")
    assert page.status_code == 200 and "由谁审核" in page.text
    bad = admin_client.post(
        "/admin/settings/629901000000",
        data={
            "csrf_token": csrf_from(page.text),
            "reviewer_level": "village",
            "referral_working_days": "0",
            "approval_threshold": "5000",
        },
    )
    assert bad.status_code == 422 and "1至60" in bad.text
    done = admin_client.post(
        "/admin/settings/629901000000",
        data={
            "csrf_token": csrf_from(page.text),
            "reviewer_level": "village",
            "show_full_names": "y",
            "referral_working_days": "20",
            "approval_threshold": "3000",
        },
    )
    assert done.status_code == 302
    db.session.expire_all()
    saved = settings_for("629901101201")
    assert (saved.review_enabled, saved.reviewer_level, saved.show_full_names, saved.referral_working_days) == (
        False,
        "village",
        True,
        20,
    )
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "settings.update")) is not None
    assert admin_client.get("/admin/settings/629901101000").status_code == 404  # not a county
    assert "不审核，直接公开" in admin_client.get("/admin/settings").text


# A township administrator (黄大镇) beside a county lead, the unscoped root and staff in and out
# of the township.
TOWN, COUNTY = "629901101000", "629901000000"


@pytest.fixture
def staff(township_tree, make_user):
    return {
        "root": make_user("root", role="admin"),
        "county_admin": make_user("county_admin", role="admin", regions=[COUNTY]),
        "town_admin": make_user("town_admin", role="admin", regions=[TOWN]),
        "lead": make_user("lead", role="handler", regions=[COUNTY], is_lead=True),
        "handler": make_user("handler", role="handler", regions=[TOWN]),
        "kuaiji": make_user("kuaiji", role="accountant", regions=["629901101201"]),
        "far": make_user("far", role="accountant", regions=["629901102201"]),
        "roaming": make_user("roaming", role="inspector"),
    }


@pytest.fixture
def signed_in(app):
    def sign_in(username: str):
        client = signed_in_client(app, username)
        client.token = csrf_from(client.get("/admin/").text)
        return client

    return sign_in


def _listed(client) -> set[str]:
    import re

    return set(re.findall(r'<td><a href="/admin/users/\d+">([^<]+)</a></td>', client.get("/admin/users").text))


def test_a_scoped_admin_lists_only_the_accounts_inside_its_scope(staff, signed_in):
    assert _listed(signed_in("town_admin")) == {"town_admin", "handler", "kuaiji"}
    # A peer of equal reach is not the county administrator's to manage; the unscoped root manages all.
    assert _listed(signed_in("county_admin")) == {"county_admin", "town_admin", "lead", "handler", "kuaiji", "far"}
    assert _listed(signed_in("root")) == set(username for username in staff)


@pytest.mark.parametrize("target", ["lead", "root", "county_admin", "far", "roaming"])
def test_a_scoped_admin_cannot_touch_an_account_beyond_its_scope(staff, signed_in, target):
    client, account = signed_in("town_admin"), staff[target]
    password_hash, enabled = account.password_hash, account.is_enabled
    assert client.get(f"/admin/users/{account.id}").status_code == 404
    assert (
        client.post(
            f"/admin/users/{account.id}",
            data={"csrf_token": client.token, "username": account.username, "role": "handler", "region_codes": TOWN},
        ).status_code
        == 404
    )
    assert (
        client.post(f"/admin/users/{account.id}/reset-password", data={"csrf_token": client.token}).status_code == 404
    )
    assert (
        client.post(f"/admin/users/{account.id}/enabled", data={"csrf_token": client.token, "enable": "0"}).status_code
        == 404
    )
    db.session.expire_all()
    unchanged = db.session.get(User, account.id)
    assert (unchanged.password_hash, unchanged.is_enabled, unchanged.role) == (password_hash, enabled, account.role)
    assert services.authenticate(account.username, "pw-for-tests-1") is not None


def test_a_scoped_admin_manages_the_accounts_inside_its_scope(staff, signed_in):
    client = signed_in("town_admin")
    reset = client.post(f"/admin/users/{staff['kuaiji'].id}/reset-password", data={"csrf_token": client.token})
    assert reset.status_code == 200 and "只显示这一次" in reset.text
    moved = client.post(
        f"/admin/users/{staff['handler'].id}",
        data={"csrf_token": client.token, "username": "handler", "role": "reviewer", "region_codes": "629901101202"},
    )
    assert moved.status_code == 302
    db.session.expire_all()
    assert [r.code for r in db.session.get(User, staff["handler"].id).regions] == ["629901101202"]


@pytest.mark.parametrize(
    "role,codes,message",
    [
        ("handler", COUNTY, "「629901000000」不在您的管辖范围内"),  # wider than its own
        ("accountant", "629901102201", "「629901102201」不在您的管辖范围内"),  # another township
        ("inspector", "", "请填写您管辖范围内的行政区划代码"),  # no scope reaches everywhere
        ("admin", TOWN, "不能与您的范围相同"),  # a peer who could take it over
    ],
)
def test_a_scoped_admin_gives_no_scope_beyond_its_own(staff, signed_in, role, codes, message):
    client = signed_in("town_admin")
    created = client.post(
        "/admin/users/new", data={"csrf_token": client.token, "username": "x", "role": role, "region_codes": codes}
    )
    assert message in created.text
    assert db.session.scalar(select(User).where(User.username == "x")) is None
    widened = client.post(
        f"/admin/users/{staff['handler'].id}",
        data={"csrf_token": client.token, "username": "handler", "role": role, "region_codes": codes},
    )
    assert message in widened.text
    db.session.expire_all()
    handler = db.session.get(User, staff["handler"].id)
    assert (handler.role, [r.code for r in handler.regions]) == ("handler", [TOWN])


def test_a_scoped_admin_may_create_an_admin_strictly_inside_its_scope(staff, signed_in):
    client = signed_in("town_admin")
    created = client.post(
        "/admin/users/new",
        data={"csrf_token": client.token, "username": "village_admin", "role": "admin", "region_codes": "629901101201"},
    )
    assert created.status_code == 200 and "只显示这一次" in created.text


@pytest.mark.parametrize(
    "username,change",
    [
        ("town_admin", {"region_codes": ""}),  # clearing its scope: everywhere
        ("town_admin", {"region_codes": COUNTY}),  # widening it
        ("town_admin", {"role": "handler", "region_codes": TOWN, "is_lead": "y"}),  # making itself a lead
        ("root", {"role": "handler", "region_codes": COUNTY, "is_lead": "y"}),
        ("root", {"region_codes": COUNTY}),
    ],
)
def test_no_admin_changes_its_own_role_or_scope(staff, signed_in, username, change):
    client, admin = signed_in(username), staff[username]
    form = {
        "csrf_token": client.token,
        "username": username,
        "role": "admin",
        "region_codes": "\n".join(r.code for r in admin.regions),
        "display_name": "新名字",
    }
    response = client.post(f"/admin/users/{admin.id}", data=form | change)
    assert "不能修改自己的角色或管辖范围" in response.text
    db.session.expire_all()
    after = db.session.get(User, admin.id)
    assert (after.role, after.is_lead, [r.code for r in after.regions], after.display_name) == (
        "admin",
        False,
        [r.code for r in admin.regions],
        "",
    )
    # Its own name and address are its to change.
    assert client.post(f"/admin/users/{admin.id}", data=form).status_code == 302


def test_separation_of_duties_leads_never_grant_and_admins_never_approve(staff, signed_in):
    """The rule: administrators grant the lead role and can never be leads (the test above: not
    even by editing themselves); leads approve identity requests and never reach accounts."""
    from admin.cases.identity import request_identity
    from complaints.models import Category, Channel, Complaint
    from complaints.services import Identity, file_complaint
    from core.regions.models import Region

    lead = signed_in("lead")
    assert (
        lead.post(
            "/admin/users/new",
            data={
                "csrf_token": lead.token,
                "username": "lead2",
                "role": "handler",
                "region_codes": COUNTY,
                "is_lead": "y",
            },
        ).status_code
        == 403
    )
    assert (
        lead.post(
            f"/admin/users/{staff['handler'].id}",
            data={
                "csrf_token": lead.token,
                "username": "handler",
                "role": "handler",
                "region_codes": TOWN,
                "is_lead": "y",
            },
        ).status_code
        == 403
    )
    filed = file_complaint(
        village=db.session.get(Region, "629901101201"),
        category=Category.FUNDS,
        text="修路款",
        channel=Channel.WEB,
        identity=Identity("段凤", "13800138000"),
    )
    case = db.session.scalar(select(Complaint).where(Complaint.code == filed.code))
    request = request_identity(case, "需要当面核实", by=staff["handler"])
    root = signed_in("root")
    assert (
        root.post(
            f"/admin/cases/{case.id}/identity/decide",
            data={"csrf_token": root.token, "request_id": request.id, "decision": "approve"},
        ).status_code
        == 403
    )
    db.session.expire_all()
    assert db.session.scalar(select(User).where(User.username == "lead2")) is None
    assert db.session.get(User, staff["handler"].id).is_lead is False
    assert db.session.get(type(request), request.id).status == "pending"


def test_a_scoped_admin_reads_only_the_audit_entries_of_its_scope(staff, signed_in):
    from admin.cases.identity import request_identity
    from complaints.models import Category, Channel, Complaint
    from complaints.services import Identity, file_complaint
    from core.regions.models import Region
    from support import publish_ledger_row

    far_handler = staff["lead"]  # the county lead may work the other township's case
    reasons = {}
    for village, handler, reason in (
        ("629901101201", staff["handler"], "本镇案件需要核实身份"),
        ("629901102201", far_handler, "白水乡案件的身份理由"),
    ):
        filed = file_complaint(
            village=db.session.get(Region, village),
            category=Category.FUNDS,
            text="修路款",
            channel=Channel.WEB,
            identity=Identity("段凤", "13800138000"),
        )
        case = db.session.scalar(select(Complaint).where(Complaint.code == filed.code))
        request_identity(case, reason, by=handler)
        reasons[village] = reason
    near_row, far_row = publish_ledger_row("629901101201"), publish_ledger_row("629901102201")
    page = signed_in("town_admin").get("/admin/audit").text
    assert reasons["629901101201"] in page and reasons["629901102201"] not in page
    shown = set(re.findall(r"<td>(user|batch|complaint) (\d+)</td>", page))
    assert ("batch", str(near_row.batch_id)) in shown and ("batch", str(far_row.batch_id)) not in shown
    assert ("user", str(staff["kuaiji"].id)) in shown
    assert {("user", str(staff[name].id)) for name in ("lead", "root", "far", "county_admin")} & shown == set()
    everything = signed_in("root").get("/admin/audit").text
    assert reasons["629901101201"] in everything and reasons["629901102201"] in everything
    assert f"user {staff['lead'].id}</td>" in everything


def test_users_cli_resets_a_forgotten_password(cli, make_user):
    make_user("jiwei", "admin")
    result = cli.invoke(args=["users", "reset-password", "jiwei"])
    assert result.exit_code == 0, result.output
    password = result.output.split("新密码：")[1].split("（")[0]
    assert services.authenticate("jiwei", password) is not None
    assert services.authenticate("jiwei", "pw-for-tests-1") is None
    assert db.session.scalar(select(AuditEntry.action).where(AuditEntry.action == "user.reset_password"))
    unknown = cli.invoke(args=["users", "reset-password", "nobody"])
    assert unknown.exit_code != 0 and "没有账号 nobody" in unknown.output
