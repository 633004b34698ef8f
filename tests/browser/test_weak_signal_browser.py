"""A villager with a weak connection loses nothing: the complaint form keeps a draft as it is
typed, and a submission that fails for lack of connection is sent again when the connection
returns, with the same ticket, so the case is filed once. Without JavaScript the form posts as
it always did. Offline is Chromium's own emulation (context.set_offline)."""

import re

import pytest
from sqlalchemy import func, select

from core.extensions import db
from complaints.models import Attachment, Complaint

from .conftest import page_of, save_screenshot
from .test_complaints_browser import photo
from .test_villager_browser import open_phone

VILLAGE = "629901101201"
FORM = f"/complain?village={VILLAGE}"
TEXT = "村道维修款三万元，路一直没有修，雨天学生走泥路。"
DRAFT = f"yg.draft.v1:{VILLAGE}"
TICKET = re.compile(rb'name="ticket"\r\n\r\n([^\r]+)\r\n')


def cases() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(Complaint))


@pytest.fixture(params=[("360", "large"), ("390", "standard")], ids=lambda p: f"{p[0]}px-{p[1]}")
def weak_phone(request, browser, live_server, app):
    app.config["COMPLAINT_MIN_FILL_SECONDS"] = 0
    context = open_phone(browser, live_server, *request.param)
    yield from page_of(request, context)


def test_a_draft_survives_and_an_offline_submission_is_sent_once_when_back_online(
    township_tree, weak_phone, visit, checkpoint
):
    page = weak_phone
    visit(page, FORM, "form")
    page.get_by_label("资金使用").check()
    page.get_by_label("请写下时间、地点、什么人、什么事").fill(TEXT)
    page.wait_for_function(f"() => (localStorage.getItem('{DRAFT}') || '').includes('雨天学生走泥路')")
    assert "13800" not in page.evaluate(f"() => localStorage.getItem('{DRAFT}')")

    # The page is closed (a call comes in, the browser is killed): opened again, the text is back.
    visit(page, f"/r/{VILLAGE}", "away")
    visit(page, FORM, "draft-restored")
    assert page.get_by_label("请写下时间、地点、什么人、什么事").input_value() == TEXT
    assert page.get_by_label("资金使用").is_checked()
    assert page.get_by_text("已恢复您上次在这部手机上没有提交的内容").is_visible()

    # The signal drops as the villager taps 提交: nothing is lost, nothing is filed yet.
    page.set_input_files("#photos", files=[{"name": "IMG_0003.jpg", "mimeType": "image/jpeg", "buffer": photo()}])
    page.context.set_offline(True)
    page.get_by_role("button", name="提交", exact=True).click()
    page.get_by_text("网络连接断开了").wait_for()
    checkpoint(page, "offline")
    assert cases() == 0

    # Back online: sent by itself, filed once, the draft gone.
    page.context.set_offline(False)
    page.get_by_role("heading", name="已收到您的反映").wait_for()
    checkpoint(page, "done")
    assert cases() == 1
    assert db.session.scalar(select(func.count()).select_from(Attachment)) == 1
    page.wait_for_function(f"() => localStorage.getItem('{DRAFT}') === null")
    visit(page, FORM, "form-again")
    assert page.get_by_label("请写下时间、地点、什么人、什么事").input_value().strip() == ""


def test_an_answer_lost_on_the_way_back_does_not_file_twice(township_tree, phone, live_server, app, visit):
    """The request reached the server but its answer never came back: the resend carries the same
    ticket, and the server files nothing more."""
    app.config["COMPLAINT_MIN_FILL_SECONDS"] = 0
    visit(phone, FORM, "form")
    phone.get_by_label("资金使用").check()
    phone.get_by_label("请写下时间、地点、什么人、什么事").fill(TEXT)
    tickets: list[bytes] = []
    phone.on(
        "request",
        lambda request: (
            tickets.append(TICKET.search(request.post_data_buffer).group(1)) if request.method == "POST" else None
        ),
    )

    def lose_the_answer(route):
        route.fetch()  # the server files the case …
        route.abort("internetdisconnected")  # … and the answer is lost

    phone.route(f"{live_server}/complain", lose_the_answer)
    phone.get_by_role("button", name="提交", exact=True).click()
    phone.get_by_text("网络连接断开了").wait_for()
    assert cases() == 1
    phone.unroute(f"{live_server}/complain")
    phone.context.set_offline(True)
    phone.context.set_offline(False)  # "online" fires: the form is sent again
    # Playwright's route.fetch() shares the context's cookies, so the session kept the first
    # answer's receipt and the resend shows that case again (a real lost answer would take the
    # receipt with it: the page then says 没有重复提交). Either way there is one case.
    phone.get_by_role("heading", name="已收到您的反映").wait_for()
    filed = db.session.scalar(select(Complaint.code))
    assert cases() == 1 and phone.locator(".case-code").inner_text() == filed
    assert len(tickets) == 2 and tickets[0] == tickets[1]  # sent twice, with the one ticket


def test_without_javascript_the_form_posts_as_always(township_tree, browser, live_server, app, checkpoint):
    app.config["COMPLAINT_MIN_FILL_SECONDS"] = 0
    context = browser.new_context(
        viewport={"width": 360, "height": 780}, is_mobile=True, locale="zh-CN", java_script_enabled=False
    )
    page = context.new_page()
    try:
        page.goto(live_server + FORM)
        assert page.locator("#draft-notice").is_hidden()
        page.get_by_label("资金使用").check()
        page.get_by_label("请写下时间、地点、什么人、什么事").fill(TEXT)
        page.get_by_role("button", name="提交", exact=True).click()
        page.get_by_role("heading", name="已收到您的反映").wait_for()
        save_screenshot(page, "test_without_javascript_the_form_posts_as_always-done")
        assert cases() == 1
    finally:
        context.close()
