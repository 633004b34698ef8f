import pytest
from support import csrf_from
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
    response = _post(admin_client, "/admin/users/new", {
        "username": "kuaiji1", "display_name": "王会计", "role": "accountant",
        "region_codes": "629901101201\n629901101202"})
    assert response.status_code == 200 and "只显示这一次" in response.text
    user = db.session.scalar(select(User).where(User.username == "kuaiji1"))
    assert [r.code for r in user.regions] == ["629901101201", "629901101202"]
    password = response.text.split('class="secret-box">')[1].split("<")[0]
    assert services.authenticate("kuaiji1", password) is not None
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.create",
                                                       AuditEntry.target_id == str(user.id)))
    assert entry.actor_name == "root" and entry.detail_dict["username"] == "kuaiji1"
    assert password not in entry.detail


@pytest.mark.parametrize("role,codes,message", [
    ("accountant", "629901101000", "村报账员的范围不能是乡镇级"),
    ("handler", "629901101201", "纪委监委工作人员的范围不能是村级"),
    ("accountant", "", "村报账员必须指定管辖范围"),
    ("accountant", "629901999999", "不存在"),
])
def test_scope_must_fit_the_role(admin_client, role, codes, message):
    response = _post(admin_client, "/admin/users/new",
                     {"username": "x", "role": role, "region_codes": codes})
    assert message in response.text
    assert db.session.scalar(select(User).where(User.username == "x")) is None


def test_only_handlers_can_be_leads(app, township_tree):
    with pytest.raises(services.AccountError, match="负责人"):
        services.create_user("r", role=Role.REVIEWER, region_codes=["629901101000"], is_lead=True)


def test_changing_scope_is_audited_with_before_and_after(admin_client, make_user):
    user = make_user("h1", role="handler", regions=["629901101000"])
    response = _post(admin_client, f"/admin/users/{user.id}", {
        "username": "h1", "role": "handler", "region_codes": "629901000000", "is_lead": "y"})
    assert response.status_code == 302
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.update"))
    assert entry.detail_dict["before"]["regions"] == ["629901101000"]
    assert entry.detail_dict["after"] == {"role": "handler", "regions": ["629901000000"], "is_lead": True,
                                          "display_name": "", "email": ""}


def test_an_email_address_is_checked_kept_and_audited_without_ending_sessions(admin_client, make_user):
    user = make_user("h1", role="handler", regions=["629901101000"])
    token = user.session_token
    form = {"username": "h1", "role": "handler", "region_codes": "629901101000"}
    refused = _post(admin_client, f"/admin/users/{user.id}", form | {"email": "wang at jiwei"})
    assert refused.status_code == 200 and "邮箱地址格式不对" in refused.text
    assert _post(admin_client, f"/admin/users/{user.id}", form | {"email": " wang@JiWei.Example.cn "}).status_code == 302
    db.session.expire_all()
    changed = db.session.get(User, user.id)
    assert changed.email == "wang@jiwei.example.cn"
    assert changed.session_token == token  # an address is not a power: the handler stays signed in
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.update"))
    assert (entry.detail_dict["before"]["email"], entry.detail_dict["after"]["email"]) == ("", "wang@jiwei.example.cn")


def test_the_command_line_takes_an_email_address_and_refuses_a_bad_one(app, cli, township_tree):
    result = cli.invoke(args=["users", "create", "h2", "--role", "handler", "--region", "629901101000",
                              "--email", "li@example.cn"])
    assert result.exit_code == 0
    assert db.session.scalar(select(User.email).where(User.username == "h2")) == "li@example.cn"
    bad = cli.invoke(args=["users", "create", "h3", "--role", "handler", "--region", "629901101000",
                           "--email", "li@"])
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
    bad = admin_client.post("/admin/calendar", data={
        "csrf_token": token, "confirm": "y",
        "file": (io.BytesIO("日期,类型\n2031-02-30,休息\n".encode()), "2031.csv")})
    assert bad.status_code == 422 and "第2行" in bad.text
    good = admin_client.post("/admin/calendar", data={
        "csrf_token": token, "confirm": "y",
        "file": (io.BytesIO("日期,类型\n2031-10-01,休息\n2031-09-28,上班\n".encode()), "2031.csv")})
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
            found |= {f"case.{name}" for name in re.findall(r'_log\(case, "([a-z_]+)"', source)}
    assert sorted(found - ACTION_LABELS.keys()) == []


def test_admin_switches_review_off_and_names_on_for_a_county(admin_client):
    from core.settings import settings_for
    page = admin_client.get("/admin/settings/629901000000")
    assert page.status_code == 200 and "由谁审核" in page.text
    bad = admin_client.post("/admin/settings/629901000000", data={
        "csrf_token": csrf_from(page.text), "reviewer_level": "village", "referral_working_days": "0",
        "approval_threshold": "5000"})
    assert bad.status_code == 422 and "1至60" in bad.text
    done = admin_client.post("/admin/settings/629901000000", data={
        "csrf_token": csrf_from(page.text), "reviewer_level": "village", "show_full_names": "y",
        "referral_working_days": "20", "approval_threshold": "3000"})
    assert done.status_code == 302
    db.session.expire_all()
    saved = settings_for("629901101201")
    assert (saved.review_enabled, saved.reviewer_level, saved.show_full_names, saved.referral_working_days) == (
        False, "village", True, 20)
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "settings.update")) is not None
    assert admin_client.get("/admin/settings/629901101000").status_code == 404  # not a county
    assert "不审核，直接公开" in admin_client.get("/admin/settings").text
