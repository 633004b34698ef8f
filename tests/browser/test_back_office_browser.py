"""A handler works a case from the queue to closing on a desktop; the complainant then rates it on
a phone. Also the queue as it looks on a phone."""

import re
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from complaints.codes import hash_tracking_secret
from complaints.models import Category, Channel, Complaint, Status
from complaints.services import file_complaint
from core.extensions import db
from core.regions.models import Region

SECRET = "3141592653589793"
PASSWORD = "pw-for-tests-1"


def is_local(url: str, base: str) -> bool:
    return url.startswith(("data:", "about:", "blob:")) or url == base or url.startswith(base + "/")


@pytest.fixture
def desktop(browser, live_server, page_requests):
    """A new page in a fresh context: a 1280×800 office PC, as the back office is used."""
    context = browser.new_context(
        viewport={"width": 1280, "height": 800}, locale="zh-CN", timezone_id="Asia/Shanghai", bypass_csp=True
    )
    context.on("request", lambda req: page_requests.append(req.url))
    context.route(lambda url: not is_local(url, live_server), lambda route: route.abort("blockedbyclient"))
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()
    outside = [url for url in page_requests if not is_local(url, live_server)]
    assert not outside, f"pages requested addresses off the live server: {outside}"


def _file(village: str, text: str, received_at: datetime, secret: str | None = None) -> Complaint:
    filed = file_complaint(
        village=db.session.get(Region, village),
        category=Category.FUNDS,
        text=text,
        channel=Channel.WEB,
        identity=None,
        received_at=received_at,
    )
    case = db.session.scalar(select(Complaint).where(Complaint.code == filed.code))
    if secret:  # a secret the test knows, to type on the phone (filing makes a random one)
        case.secret_hash = hash_tracking_secret(secret)
        db.session.commit()
    return case


@pytest.fixture
def cases(township_tree, make_user):
    """The handler's township with three cases: one overdue, one reopened, and a fresh one to work."""
    make_user("zhangwei", "handler", ["629901101000"])
    now = datetime.now(timezone.utc)
    _file("629901101202", "村里的扶贫车间租金没有公示", now - timedelta(days=20))
    reopened = _file("629901101202", "低保名单里有村干部亲属", now - timedelta(days=5))
    reopened.status = Status.REOPENED
    db.session.commit()
    return _file("629901101201", "2026年10月的修路款支出8万元，但路一直没修。", now - timedelta(hours=3), SECRET)


def _sign_in(page, live_server):
    page.goto(f"{live_server}/staff/login")
    page.get_by_label("用户名").fill("zhangwei")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server}/admin/")


def test_handler_works_a_case_and_the_complainant_rates_it(cases, app, desktop, phone, live_server, visit, checkpoint):
    case = cases
    _sign_in(desktop, live_server)
    desktop.get_by_role("navigation", name="后台").get_by_role("link", name="案件办理").click()
    desktop.wait_for_url(f"{live_server}/admin/cases")
    checkpoint(desktop, "queue")
    assert desktop.locator("tbody tr").count() == 3
    assert "重新办理" in desktop.locator("tbody tr").first.inner_text()  # reopened cases on top

    desktop.get_by_role("link", name=case.code).click()
    desktop.wait_for_url(f"{live_server}/admin/cases/{case.id}")
    checkpoint(desktop, "case")
    assert desktop.get_by_label("初步答复").is_checked()

    desktop.get_by_label("答复内容（反映人在查询页可见）").fill("您反映的修路款问题已收到，我们正在调取村账核实。")
    desktop.get_by_role("button", name="发送").click()
    desktop.wait_for_load_state("load")
    assert "初步答复已发送" in desktop.locator(".flash").inner_text()
    assert desktop.get_by_label("核查进展告知").is_checked()
    desktop.get_by_label("答复内容（反映人在查询页可见）").fill("已调取2026年10月凭证，正在与施工合同核对。")
    desktop.get_by_role("button", name="发送").click()
    desktop.wait_for_load_state("load")
    checkpoint(desktop, "replied")

    desktop.locator("summary", has_text="办结").click()
    desktop.get_by_label("办理结果（反映人可见）").fill("经核实，该笔款项为村道硬化工程首期款，工程已于11月开工。")
    desktop.get_by_label("定性").select_option("不属实")
    desktop.get_by_role("button", name="办结并公开结果").click()
    desktop.wait_for_load_state("load")
    checkpoint(desktop, "closed")
    assert "办理结果已公开" in desktop.locator(".flash").inner_text()
    assert "已办结" in desktop.locator("h1").inner_text()

    if "complaints.track" not in app.view_functions:
        pytest.skip("the complaints tracking pages (complaints.track) are not installed: rating not tested")
    visit(phone, "/track", "track")
    phone.get_by_label("案件编号").fill(case.code)
    phone.get_by_label("查询密码（16位数字）").fill(SECRET)
    phone.get_by_role("button", name="查询").click()
    phone.wait_for_url(re.compile(r"/track/case$"))
    checkpoint(phone, "tracked")
    assert "经核实，该笔款项为村道硬化工程首期款" in phone.locator("main").inner_text()
    assert "正在调取村账核实" in phone.locator("main").inner_text()
    phone.get_by_text("满意", exact=True).click()
    phone.get_by_role("button", name="提交评价").click()
    phone.wait_for_load_state("load")
    checkpoint(phone, "rated")
    assert "感谢您的评价" in phone.locator("main").inner_text()
    db.session.expire_all()
    assert db.session.get(Complaint, case.id).rating == "satisfied"


def test_queue_on_a_phone(cases, phone, live_server, visit, checkpoint):
    _sign_in(phone, live_server)
    visit(phone, "/admin/", "home")  # the 工作台: the handler's piles, each a link to its queue
    overdue = phone.get_by_role("link", name=re.compile("已超期"))
    shown = int(overdue.locator(".value").inner_text())
    overdue.click()
    phone.wait_for_url(re.compile(r"/admin/cases\?clock=overdue"))
    checkpoint(phone, "overdue")
    assert shown >= 1 and phone.locator("tbody tr").count() == shown
    visit(phone, "/admin/cases", "queue")
    assert phone.locator("tbody tr").count() == 3
    visit(phone, f"/admin/cases/{cases.id}", "case")


def test_identity_request_approved_by_a_lead_then_revealed(
    township_tree, make_user, desktop, live_server, visit, checkpoint
):
    from admin.models import Department, ReplyTemplate
    from complaints.services import Identity

    make_user("zhangwei", "handler", ["629901101000"])
    make_user("lizhuren", "handler", ["629901000000"], is_lead=True, password=PASSWORD)
    db.session.add_all(
        [
            Department(county_code="629901000000", name="县农业农村局"),
            ReplyTemplate(category="funds", title="资金类：已转办", body="已转交县农业农村局核查。"),
        ]
    )
    filed = file_complaint(
        village=db.session.get(Region, "629901101201"),
        category=Category.FUNDS,
        text="村会计把修路款转进了自己的账户。",
        channel=Channel.WEB,
        identity=Identity("段凤", "13800138000"),
    )
    case_id = db.session.scalar(select(Complaint.id).where(Complaint.code == filed.code))
    _sign_in(desktop, live_server)
    visit(desktop, f"/admin/cases/{case_id}", "case")
    assert "段凤" not in desktop.content()
    desktop.locator("summary", has_text="内部备注").click()
    desktop.get_by_label("回复模板").last.select_option(label="资金类：已转办")
    desktop.locator("form", has=desktop.get_by_label("内部备注（反映人看不到）")).get_by_role(
        "button", name="插入模板"
    ).click()
    desktop.wait_for_load_state("load")
    assert desktop.get_by_label("内部备注（反映人看不到）").input_value() == "已转交县农业农村局核查。"
    desktop.locator("summary", has_text="申请查看身份").click()
    desktop.get_by_label("申请理由").fill("需电话联系反映人核实转账时间")
    desktop.get_by_role("button", name="提交申请").click()
    desktop.wait_for_load_state("load")
    checkpoint(desktop, "requested")

    desktop.get_by_role("button", name="退出登录").click()
    desktop.goto(f"{live_server}/staff/login")
    desktop.get_by_label("用户名").fill("lizhuren")
    desktop.get_by_label("密码").fill(PASSWORD)
    desktop.get_by_role("button", name="登录").click()
    visit(desktop, "/admin/approvals", "approvals")
    assert "需电话联系反映人核实转账时间" in desktop.content() and "段凤" not in desktop.content()
    desktop.get_by_role("button", name="批准", exact=True).click()
    desktop.wait_for_url(f"{live_server}/admin/approvals")
    assert "没有待审批的身份查看申请" in desktop.content()

    desktop.get_by_role("button", name="退出登录").click()
    _sign_in(desktop, live_server)
    visit(desktop, f"/admin/cases/{case_id}", "approved")
    assert "段凤" not in desktop.content()
    desktop.get_by_role("button", name="查看身份").click()
    desktop.wait_for_load_state("load")
    checkpoint(desktop, "revealed")
    assert "段凤" in desktop.content() and "13800138000" in desktop.content()
