"""A villager on a phone: a ledger row that looks wrong → the complaint form → the one-time
secret → tracking the case. And a paper secret from a phone call, replaced at first use."""

import io
import re
from decimal import Decimal

import pytest
from PIL import Image
from sqlalchemy import select
from factories import file_case
from support import publish_ledger_row

from core.extensions import db
from core.regions.models import Region
from core.timezone import shanghai
from complaints.models import Category, Channel, ClockKind, Complaint, Status
from complaints.services import file_complaint
from disclosures.models import LedgerEntry

VILLAGE = "629901101201"


@pytest.fixture
def ledger_row(township_tree) -> LedgerEntry:
    return publish_ledger_row(
        VILLAGE, voucher_no="记-12", summary="村委会招待费", amount=Decimal("3860.00"), counterparty="青川县农家乐饭店"
    )


def photo() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (800, 600), (90, 140, 60)).save(buffer, "JPEG")
    return buffer.getvalue()


def test_complaint_from_a_ledger_row_to_the_tracking_page(app, ledger_row, phone, live_server, visit, checkpoint):
    app.config["COMPLAINT_MIN_FILL_SECONDS"] = 60  # first, a submit "too fast" for a person
    visit(phone, f"/r/{VILLAGE}", "village")
    phone.get_by_role("link", name="收支明细").first.click()
    checkpoint(phone, "ledger")
    phone.get_by_role("link", name="对此有疑问").first.click()
    checkpoint(phone, "form")
    assert f"item=ledger:{ledger_row.id}" in phone.url
    main = phone.locator("main")
    assert "村委会招待费" in main.inner_text() and "3,860.00" in main.inner_text()
    assert phone.get_by_label("资金使用").is_checked()  # suggested by the ledger row

    # 实名 fields appear only once 实名 is chosen, with no script on the page.
    assert not phone.get_by_label("姓名", exact=True).is_visible()
    phone.get_by_text("实名（留姓名和手机号）").click()
    assert phone.get_by_label("姓名", exact=True).is_visible()
    checkpoint(phone, "real-name")
    phone.get_by_text("匿名（不留姓名）").click()
    assert not phone.get_by_label("姓名", exact=True).is_visible()

    phone.get_by_label("请写下时间、地点、什么人、什么事").fill("10月5日的招待费3860元，村里没有来过客人。")
    phone.set_input_files("#photos", files=[{"name": "IMG_0001.jpg", "mimeType": "image/jpeg", "buffer": photo()}])
    phone.get_by_role("button", name="提交", exact=True).click()
    checkpoint(phone, "too-fast")
    assert "提交太快了" in main.inner_text()
    assert "村里没有来过客人" in phone.get_by_label("请写下时间、地点、什么人、什么事").input_value()

    app.config["COMPLAINT_MIN_FILL_SECONDS"] = 0
    phone.set_input_files("#photos", files=[{"name": "IMG_0001.jpg", "mimeType": "image/jpeg", "buffer": photo()}])
    phone.get_by_role("button", name="提交", exact=True).click()
    phone.get_by_role("heading", name="已收到您的反映").wait_for()
    checkpoint(phone, "done")
    code = phone.locator(".case-code").inner_text()
    secret = phone.locator(".secret-box").inner_text()
    assert re.fullmatch(r"\d{4}-629901101-\d{4}", code) and re.fullmatch(r"(\d{4} ){3}\d{4}", secret)
    assert phone.locator("img.secret-image").evaluate("img => img.complete && img.naturalWidth") == 720

    main.get_by_role("link", name="查询办理进展").click()
    phone.wait_for_url(f"{live_server}/track")
    phone.get_by_label("案件编号").fill(code)
    phone.get_by_label("查询密码（16位数字）").fill("0000 0000 0000 0000")
    phone.get_by_role("button", name="查询", exact=True).click()
    checkpoint(phone, "wrong-secret")
    assert "案件编号或查询密码不正确" in main.inner_text()

    phone.get_by_label("案件编号").fill(code.replace("-", ""))
    phone.get_by_label("查询密码（16位数字）").fill(secret)
    phone.get_by_role("button", name="查询", exact=True).click()
    phone.wait_for_url(f"{live_server}/track/case")
    checkpoint(phone, "case")
    text = main.inner_text()
    assert code in text and "已收到" in text and "初步答复" in text and "核查进展告知" in text
    thumbnail = phone.locator(".attachments img")
    assert thumbnail.evaluate("img => img.complete && img.naturalWidth") > 0


def test_pick_a_village_and_read_the_statistics(township_tree, phone, visit):
    visit(phone, "/complain", "pick-township")
    phone.get_by_role("link", name="黄大镇").click()
    phone.get_by_role("link", name="青山村").click()
    assert phone.locator("h1").inner_text() == "反映问题"

    village = db.session.get(Region, VILLAGE)
    for month in (1, 1, 1, 2, 3):
        filed = file_complaint(
            village=village,
            category=Category.FUNDS,
            text="账目不清",
            channel=Channel.WEB,
            identity=None,
            received_at=shanghai(2025, month, 6, 10),
        )
        case = db.session.scalar(select(Complaint).where(Complaint.code == filed.code))
        case.clock(ClockKind.REPLY).met_at = case.received_at
        case.status, case.closed_at, case.rating = Status.CLOSED, shanghai(2025, month, 20), "satisfied"
    db.session.commit()
    visit(phone, "/stats?region=629901000000&year=2025", "stats")
    assert "青川县" in phone.locator("h1").inner_text() and "100.0%" in phone.locator("table").inner_text()
    february = phone.locator("tr", has=phone.get_by_role("rowheader", name="2月", exact=True)).inner_text()
    assert "<3" in february and "100.0%" not in february  # one case a month outs its complainant


def test_paper_secret_from_a_phone_call_is_replaced(township_tree, make_user, phone, live_server, visit, checkpoint):
    make_user("clerk", "handler", ["629901000000"])
    visit(phone, "/staff/login", "login")
    phone.get_by_label("用户名").fill("clerk")
    phone.get_by_label("密码", exact=True).fill("pw-for-tests-1")
    phone.get_by_role("button", name="登录", exact=True).click()
    visit(phone, "/staff/complaints/new", "staff-form")
    phone.get_by_label("村（社区）").select_option(VILLAGE)
    phone.get_by_label("反映内容").fill("来电：村东耕地承包费三年没有收。")
    phone.get_by_role("button", name="登记并生成查询密码").click()
    phone.wait_for_url(f"{live_server}/staff/complaints/registered")
    checkpoint(phone, "paper-secret")
    code = phone.locator(".case-code").inner_text()
    paper = phone.locator(".secret-box").inner_text()

    # Another phone, as the phone fixture makes them (axe-core needs the CSP bypassed).
    villager = phone.context.browser.new_context(
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        bypass_csp=True,
    )
    page = villager.new_page()
    try:
        page.goto(f"{live_server}/track")
        page.get_by_label("案件编号").fill(code)
        page.get_by_label("查询密码（16位数字）").fill(paper)
        page.get_by_role("button", name="查询", exact=True).click()
        page.wait_for_url(f"{live_server}/track/case")
        checkpoint(page, "new-secret")
        fresh = page.locator(".secret-box").inner_text()
        assert fresh != paper and "纸质密码已经作废" in page.locator("main").inner_text()
    finally:
        villager.close()


def test_a_kiosk_forgets_the_last_case_on_the_server(township_tree, phone, live_server, visit, checkpoint):
    filed, _ = file_case(village=VILLAGE, text="修路款去向不明")
    visit(phone, "/kiosk/629901101000", "kiosk-home")
    phone.clock.install()
    visit(phone, "/track", "kiosk-track")
    phone.get_by_label("案件编号").fill(filed.code)
    phone.get_by_label("查询密码（16位数字）").fill(filed.secret)
    phone.get_by_role("button", name="查询", exact=True).click()
    phone.wait_for_url(f"{live_server}/track/case")
    checkpoint(phone, "kiosk-case")
    cookie = next(c for c in phone.context.cookies() if c["name"] == "session")
    phone.clock.run_for(61_000)  # the villager walked away
    phone.wait_for_url(f"{live_server}/r/629901101000")
    checkpoint(phone, "kiosk-after-reset")
    # The cookie the machine kept (or anyone copied from it) opens nothing any more.
    phone.context.add_cookies([cookie])
    phone.goto(f"{live_server}/track/case")
    assert phone.url == f"{live_server}/track" and "请输入案件编号和查询密码" in phone.locator("main").inner_text()
