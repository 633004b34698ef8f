"""The villager's ways back, on phones of 360 and 390 px, in standard and 大字 text: every public
page leads to 查询办理进展, 我的补贴 and 公开统计; 我的反映 keeps case numbers in the phone only;
a request for material is answered from the tracking page, whose timeline names each entry; and
我的补贴 forgives how an ID number is typed."""

import re

import pytest
from playwright.sync_api import expect
from factories import file_case

from admin.cases import actions
from core.extensions import db
from core.settings import CountySettings
from complaints.codes import format_secret
from complaints.models import Complaint

from .conftest import page_of, wechat_context
from .test_complaints_browser import photo
from .test_disclosures_browser import village  # noqa: F401  (a fixture: 青山村's published tables)

VILLAGE = "629901101201"
PHONES = {"360": {"width": 360, "height": 780}, "390": {"width": 390, "height": 844}}
SIZES = [("360", "standard"), ("360", "large"), ("390", "standard"), ("390", "large")]
WAYS_BACK = ("查询办理进展", "我的补贴", "公开统计")


def open_phone(browser, live_server, size: str, text: str, *, bypass_csp: bool = True):
    return wechat_context(browser, live_server, PHONES[size], text=text, bypass_csp=bypass_csp)


@pytest.fixture(params=SIZES, ids=lambda p: f"{p[0]}px-{p[1]}")
def villager(request, browser, live_server, app):
    """A phone at one of the two widths, in standard or 大字 text (axe-core needs the CSP bypassed)."""
    app.config["COMPLAINT_MIN_FILL_SECONDS"] = 0  # a test types faster than a person
    size, text = request.param
    context = open_phone(browser, live_server, size, text)
    yield from page_of(request, context)


def services(page):
    return page.get_by_role("navigation", name="便民服务")


def test_every_public_page_leads_back_and_my_list_stays_on_the_phone(
    township_tree, villager, live_server, visit, checkpoint
):
    requests: list[str] = []
    villager.context.on("request", lambda req: requests.append(req.url))
    for path, step in [
        ("/", "home"),
        ("/r/629901000000", "county"),
        ("/r/629901101000", "township"),
        (f"/r/{VILLAGE}", "village"),
    ]:
        visit(villager, path, step)
        for name in WAYS_BACK + ("我的反映",):
            assert services(villager).get_by_role("link", name=name).is_visible(), (path, name)
    services(villager).get_by_role("link", name="公开统计").click()
    villager.wait_for_url(re.compile(r".*/stats"))
    checkpoint(villager, "stats")

    visit(villager, "/mine", "mine-empty")
    assert villager.get_by_text("还没有记住任何案件").is_visible()

    # File, then keep the number on this phone (opt-in, with the shared-phone warning).
    visit(villager, f"/complain?village={VILLAGE}", "form")
    villager.get_by_label("资金使用").check()
    villager.get_by_label("请写下时间、地点、什么人、什么事").fill("村道维修款三万元，路一直没有修。")
    villager.get_by_role("button", name="提交", exact=True).click()
    villager.get_by_role("heading", name="已收到您的反映").wait_for()
    code = villager.locator(".case-code").inner_text()
    secret = villager.locator(".secret-box").inner_text()
    remember = villager.locator(".remember")
    expect(remember).to_be_visible()  # shown by the deferred mine.js, which may come after the heading
    assert "别人用这部手机" in remember.inner_text()
    checkpoint(villager, "done")
    assert not villager.get_by_text("已记在这部手机上").is_visible()
    villager.get_by_role("button", name="记住这个案件编号").click()
    expect(villager.get_by_text("已记在这部手机上")).to_be_visible()
    expect(villager.get_by_role("button", name="记住这个案件编号")).to_be_hidden()
    checkpoint(villager, "remembered")
    stored = villager.evaluate("() => localStorage.getItem('yg.mine.v1')")
    assert code in stored and secret.replace(" ", "") not in stored.replace(" ", "")

    # The list, from any page's footer; it opens tracking with the number filled in.
    visit(villager, f"/r/{VILLAGE}", "village-again")
    services(villager).get_by_role("link", name="我的反映").click()
    villager.wait_for_url(f"{live_server}/mine")
    villager.get_by_text(code).wait_for()
    checkpoint(villager, "mine-list")
    assert "资金使用" in villager.locator(".mine-list").inner_text()
    villager.get_by_role("link", name=f"查看进展：{code}").click()
    villager.wait_for_url(re.compile(r".*/track#code="))
    assert villager.get_by_label("案件编号").input_value() == code
    assert villager.evaluate("() => document.activeElement.id") == "secret"
    checkpoint(villager, "track-prefilled")
    villager.get_by_label("查询密码（16位数字）").fill(secret)
    villager.get_by_role("button", name="查询", exact=True).click()
    villager.get_by_role("heading", name="办理进展").wait_for()
    # This case is already on the list: the page says so (once its deferred script has run)
    # instead of offering it again.
    expect(villager.get_by_text("已记在这部手机上")).to_be_visible()
    expect(villager.get_by_role("button", name="记住这个案件编号")).to_be_hidden()
    checkpoint(villager, "case")

    # Forgetting it leaves nothing behind.
    visit(villager, "/mine", "mine-before-forget")
    villager.get_by_role("button", name=f"不再记住：{code}").click()
    assert villager.get_by_text("还没有记住任何案件").is_visible()
    assert villager.evaluate("() => JSON.parse(localStorage.getItem('yg.mine.v1'))") == []
    # The number never travelled in a URL the server saw: the list uses the #fragment.
    assert not [url for url in requests if code in url.split("#")[0]]


def test_a_kiosk_leads_back_but_offers_no_list(township_tree, phone, live_server, visit):
    phone.goto(f"{live_server}/kiosk/629901101000")
    visit(phone, "/r/629901101000", "kiosk-township")
    for name in WAYS_BACK:
        assert services(phone).get_by_role("link", name=name).is_visible()
    assert services(phone).get_by_role("link", name="我的反映").count() == 0
    filed, _ = file_case(village=VILLAGE, text="修路款")
    visit(phone, "/track", "kiosk-track")
    phone.get_by_label("案件编号").fill(filed.code)
    phone.get_by_label("查询密码（16位数字）").fill(filed.secret)
    phone.get_by_role("button", name="查询", exact=True).click()
    phone.wait_for_url(f"{live_server}/track/case")
    assert phone.locator(".remember").count() == 0 and "mine.js" not in phone.content()


def test_the_scripts_run_under_the_portal_content_security_policy(township_tree, browser, live_server):
    """The other tests bypass the CSP for axe-core; this phone keeps it, and the list still works."""
    context = open_phone(browser, live_server, "360", "standard", bypass_csp=False)
    refused: list[str] = []
    page = context.new_page()
    page.on(
        "console", lambda message: refused.append(message.text) if "Content Security Policy" in message.text else None
    )
    try:
        filed, _ = file_case(village=VILLAGE, text="修路款")
        page.goto(f"{live_server}/track")
        page.get_by_label("案件编号").fill(filed.code)
        page.get_by_label("查询密码（16位数字）").fill(filed.secret)
        page.get_by_role("button", name="查询", exact=True).click()
        page.wait_for_url(f"{live_server}/track/case")
        page.get_by_role("button", name="记住这个案件编号").click()
        page.goto(f"{live_server}/mine")
        page.get_by_text(filed.code).wait_for()
        assert refused == []
    finally:
        context.close()


@pytest.fixture
def asked_for_material(township_tree, make_user):
    """A filed case whose handler asked for material, in a county that pauses clocks meanwhile."""
    handler = make_user("handler", "handler", ["629901101000"])
    db.session.add(CountySettings(county_code="629901000000", clock_pausing_enabled=True))
    filed, case = file_case(village=VILLAGE, text="村道维修款三万元，路一直没有修。")
    actions.reply(case, "first_reply", "已收到，正在核实", by=handler)
    actions.reply(case, "request_info", "请补充路段位置和照片", by=handler)
    return filed, case, handler


def test_material_asked_for_is_sent_from_the_tracking_page(
    asked_for_material, villager, live_server, visit, checkpoint
):
    filed, case, handler = asked_for_material
    visit(villager, "/track", "track")
    villager.get_by_label("案件编号").fill(filed.code)
    villager.get_by_label("查询密码（16位数字）").fill(format_secret(filed.secret))
    villager.get_by_role("button", name="查询", exact=True).click()
    villager.wait_for_url(f"{live_server}/track/case")
    checkpoint(villager, "asked")
    main = villager.locator("main")
    assert "办理人员请您补充材料" in main.inner_text() and "请补充路段位置和照片" in main.inner_text()
    labels = villager.locator(".timeline-kind strong").all_inner_texts()
    assert labels == ["收到反映", "初步答复", "请补充材料", "期限暂停"]

    villager.get_by_role("link", name="在下面补充").click()
    villager.get_by_label("补充说明").fill("二组到四组之间那一段，照片附上。")
    villager.set_input_files(
        "#supplement-photos", files=[{"name": "IMG_0002.jpg", "mimeType": "image/jpeg", "buffer": photo()}]
    )
    checkpoint(villager, "filled")
    villager.get_by_role("button", name="提交补充材料").click()
    villager.get_by_text("已收到您补充的材料").wait_for()
    checkpoint(villager, "sent")
    labels = villager.locator(".timeline-kind strong").all_inner_texts()
    assert labels[-2:] == ["反映人补充材料", "收到补充材料"]
    assert "二组到四组之间那一段" in main.inner_text() and "办理人员请您补充材料" not in main.inner_text()
    assert villager.locator(".attachments img").count() == 1

    # The handler closes it; the timeline says what the result is, with its 定性.
    db.session.expire_all()
    actions.close(db.session.get(Complaint, case.id), "路段已列入明年计划，款项在专户未动用", "部分属实", by=handler)
    villager.reload()
    checkpoint(villager, "closed")
    last = villager.locator(".timeline li").last
    assert "办理结果" in last.inner_text() and "定性：部分属实" in last.inner_text()
    assert villager.locator(".supplement-form").count() == 0  # closed: rated, not added to


@pytest.mark.parametrize("size,text", [("360", "large"), ("390", "standard")])
def test_my_subsidies_forgive_how_the_id_is_typed(
    village,  # noqa: F811 (a fixture of this module's)
    browser,
    live_server,
    visit,
    checkpoint,
    size,
    text,
):
    context = open_phone(browser, live_server, size, text)
    page = context.new_page()
    try:
        visit(page, "/lookup", "form")
        page.get_by_label("姓名").fill("欧阳小锋")
        page.get_by_label("身份证号（18位）").fill("34082319870526002Y")
        page.get_by_role("button", name="查询").click()
        checkpoint(page, "missed")
        assert "未查到" in page.locator("main").inner_text()
        assert page.get_by_label("姓名").input_value() == "欧阳小锋"  # only the typo to fix
        page.get_by_label("身份证号（18位）").fill("３４０８２３ １９８７０５２６ ００２x")
        page.get_by_role("button", name="查询").click()
        checkpoint(page, "found")
        assert "共查到 1 笔" in page.locator("main").inner_text()
    finally:
        context.close()
