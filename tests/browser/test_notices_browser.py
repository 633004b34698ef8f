"""The SMS journey on a phone (docs/notices.md): a villager files anonymously and ticks 有答复时
发短信告诉我; the handler asks for material from the back office; the SMS is in the log provider;
the villager sends the material from the tracking page; the handler answers and closes; the SMS
says so; the villager rates it."""

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from complaints.models import Complaint, ComplaintIdentity
from complaints.notices.models import Notice
from core.extensions import db

from .test_back_office_browser import desktop, _sign_in  # noqa: F401  (a fixture and the handler's sign-in)
from .test_complaints_browser import photo

VILLAGE = "629901101201"
NUMBER = "13912345678"


@pytest.fixture
def handler(township_tree, make_user, app):
    app.config["COMPLAINT_MIN_FILL_SECONDS"] = 0  # a test types faster than a person
    return make_user("zhangwei", "handler", ["629901101000"])


def sweep(app) -> str:
    """What cron does every minute."""
    result = app.test_cli_runner().invoke(args=["deadlines", "sweep"])
    assert result.exit_code == 0, result.output
    return result.output


def sms_lines(app) -> list[str]:
    log = Path(app.config["NOTICE_LOG_FILE"])
    return log.read_text(encoding="utf-8").splitlines() if log.exists() else []


def reply(desktop, kind: str, text: str) -> None:  # noqa: F811
    desktop.get_by_label(kind).check()
    desktop.get_by_label("答复内容（反映人在查询页可见）").fill(text)
    desktop.get_by_role("button", name="发送").click()
    desktop.wait_for_load_state("load")


def test_an_anonymous_villager_is_told_by_sms_at_each_step(
    handler,
    app,
    phone,
    desktop,  # noqa: F811 (a fixture of this module's)
    live_server,
    visit,
    checkpoint,
):
    visit(phone, f"/complain?village={VILLAGE}", "form")
    phone.get_by_label("资金使用").check()
    phone.get_by_label("请写下时间、地点、什么人、什么事").fill("村道维修款三万元，路一直没有修。")
    assert not phone.get_by_label("接收短信的手机号").is_visible()  # only once the box is ticked
    phone.get_by_label("有答复时发短信告诉我").check()
    phone.get_by_label("接收短信的手机号").fill(NUMBER)
    checkpoint(phone, "form-notify")
    phone.get_by_role("button", name="提交", exact=True).click()
    phone.get_by_role("heading", name="已收到您的反映").wait_for()
    code = phone.locator(".case-code").inner_text()
    secret = phone.locator(".secret-box").inner_text()
    checkpoint(phone, "done")
    case = db.session.scalar(select(Complaint).where(Complaint.code == code))
    assert not case.is_real_name and db.session.scalar(select(ComplaintIdentity)) is None

    # The handler asks for material; the case page shows no number.
    _sign_in(desktop, live_server)
    desktop.goto(f"{live_server}/admin/cases/{case.id}")
    assert NUMBER not in desktop.content() and "5678" not in desktop.locator("main").inner_text()
    reply(desktop, "请反映人补充材料", "请补充路段位置和现场照片。")
    assert "已请反映人补充材料" in desktop.locator(".flash").inner_text()
    checkpoint(desktop, "asked")
    assert "短信通知 1 条" in sweep(app)
    [asked] = sms_lines(app)
    assert "尾号5678" in asked and code in asked and "需要您补充材料" in asked
    assert NUMBER not in asked and secret.replace(" ", "") not in asked and "维修款" not in asked

    # The villager opens the case as the SMS says and sends the material.
    visit(phone, "/track", "track")
    phone.get_by_label("案件编号").fill(code)
    phone.get_by_label("查询密码（16位数字）").fill(secret)
    phone.get_by_role("button", name="查询", exact=True).click()
    phone.wait_for_url(f"{live_server}/track/case")
    checkpoint(phone, "asked")
    phone.get_by_role("link", name="在下面补充").click()
    phone.get_by_label("补充说明").fill("二组到四组之间那一段，照片附上。")
    phone.set_input_files(
        "#supplement-photos", files=[{"name": "IMG_0002.jpg", "mimeType": "image/jpeg", "buffer": photo()}]
    )
    phone.get_by_role("button", name="提交补充材料").click()
    phone.get_by_text("已收到您补充的材料").wait_for()
    checkpoint(phone, "material-sent")

    # The handler answers, then closes; each is one SMS.
    desktop.reload()
    reply(desktop, "核查进展告知", "已收到照片，正在与施工合同核对。")
    assert "短信通知 1 条" in sweep(app)
    desktop.locator("summary", has_text="办结").click()
    desktop.get_by_label("办理结果（反映人可见）").fill("路段已列入明年计划，款项在专户未动用。")
    desktop.get_by_label("定性").select_option("部分属实")
    desktop.get_by_role("button", name="办结并公开结果").click()
    desktop.wait_for_load_state("load")
    checkpoint(desktop, "closed")
    assert "短信通知 1 条" in sweep(app)
    lines = sms_lines(app)
    assert len(lines) == 3 and "有新的答复" in lines[1] and "已办结" in lines[2] and "查看结果并评价" in lines[2]
    assert all(NUMBER not in line and "尾号5678" in line for line in lines)
    assert db.session.scalar(select(Notice).where(Notice.sent_at.is_(None))) is None

    # The villager reads the result and rates it.
    phone.reload()
    assert "路段已列入明年计划" in phone.locator("main").inner_text()
    checkpoint(phone, "closed")
    phone.get_by_text("满意", exact=True).click()
    phone.get_by_role("button", name="提交评价").click()
    phone.wait_for_load_state("load")
    checkpoint(phone, "rated")
    assert "感谢您的评价" in phone.locator("main").inner_text()
    assert re.search(r"评价：满意", phone.locator("main").inner_text())


def test_an_administrator_sees_a_failed_notice_without_the_number(
    handler,
    make_user,
    app,
    desktop,  # noqa: F811
    live_server,
    checkpoint,
):
    from admin.cases import actions
    from factories import new_case

    make_user("xianadmin", "admin", ["629901000000"])
    case = new_case(village=VILLAGE, notice_phone=NUMBER)
    actions.reply(case, "first_reply", "已收到，正在核实", by=handler)
    app.config.update(
        NOTICE_PROVIDER="http", NOTICE_SMS_HTTP_URL="http://127.0.0.1:9/sms", NOTICE_SMS_TEMPLATES="reply=SMS_1001"
    )  # nothing listens on port 9
    assert "失败 1 条" in sweep(app)
    desktop.goto(f"{live_server}/staff/login")
    desktop.get_by_label("用户名").fill("xianadmin")
    desktop.get_by_label("密码").fill("pw-for-tests-1")
    desktop.get_by_role("button", name="登录").click()
    desktop.wait_for_url(f"{live_server}/admin/")
    desktop.get_by_role("navigation", name="后台").get_by_role("link", name="短信通知").click()
    desktop.wait_for_url(f"{live_server}/admin/notices")
    checkpoint(desktop, "notices")
    row = desktop.locator("tbody tr").first.inner_text()
    assert case.code in row and "发送失败" in row and "短信网关无法连接" in row and "1次" in row
    assert NUMBER not in desktop.content()

    # A 360 px phone held upright shows cards, turned sideways the whole table: the state badge
    # reads as one word either way, in 大字 too.
    on_phone = desktop.context.browser.new_context(
        viewport={"width": 360, "height": 780}, is_mobile=True, has_touch=True, locale="zh-CN", bypass_csp=True
    )
    on_phone.add_cookies(desktop.context.cookies())
    phone = on_phone.new_page()
    for step, width, height in (("notices-360", 360, 780), ("notices-360-sideways", 780, 360)):
        phone.set_viewport_size({"width": width, "height": height})
        phone.goto(f"{live_server}/admin/notices")
        checkpoint(phone, step)
        assert text_lines(phone.locator("tbody tr").first.locator(".badge")) == 1, step
        on_phone.add_cookies([{"name": "text", "value": "large", "url": live_server}])
        phone.goto(f"{live_server}/admin/notices")
        checkpoint(phone, f"{step}-large")
        assert text_lines(phone.locator("tbody tr").first.locator(".badge")) == 1, f"{step}-large"
        on_phone.clear_cookies(name="text")
    on_phone.close()


def text_lines(element) -> int:
    """How many lines the browser laid the element's text out on."""
    return element.evaluate(
        """el => { const range = document.createRange(); range.selectNodeContents(el);
                   return new Set([...range.getClientRects()].map(r => Math.round(r.top))).size; }"""
    )
