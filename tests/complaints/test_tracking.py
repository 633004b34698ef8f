"""Tracking with case number + secret: the public timeline and clocks, paper secrets replaced
at first use, throttled guessing, rating and the 复查 request."""

import re
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import func, select
from support import csrf_from

from admin.cases import actions
from core.db import utcnow
from core.extensions import db
from core.regions.models import Region
from core.timezone import local, shanghai
from complaints.clocks import meet_clock
from complaints.codes import format_secret
from complaints.models import Category, Channel, ClockKind, Complaint, Status, TrackingSession
from complaints.services import ComplaintError, add_event, file_complaint, open_case, request_review

WRONG = "案件编号或查询密码不正确"


def file(**kw):
    args = {
        "village": db.session.get(Region, "629901101201"),
        "category": Category.FUNDS,
        "text": "村道维修款去向不明",
        "channel": Channel.WEB,
        "identity": None,
    }
    return file_complaint(**(args | kw))


def case_of(filed) -> Complaint:
    return db.session.scalar(select(Complaint).where(Complaint.code == filed.code))


def track(client, code: str, secret: str):
    page = client.get("/track")
    return client.post("/track", data={"csrf_token": csrf_from(page.text), "code": code, "secret": secret})


def opened(client, filed) -> str:
    assert track(client, filed.code, format_secret(filed.secret)).status_code == 302
    page = client.get("/track/case")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    return page.text


def test_wrong_secret_and_unknown_number_get_one_message(client, township_tree):
    filed = file()
    wrong_secret = track(client, filed.code, "0000 0000 0000 0000")
    unknown_code = track(client, "2026-629901101-9999", filed.secret)
    assert wrong_secret.status_code == unknown_code.status_code == 422
    assert WRONG in wrong_secret.text and WRONG in unknown_code.text
    assert client.get("/track/case").status_code == 302  # nothing opened


def test_guessing_is_throttled(client, township_tree):
    filed = file()
    for _ in range(10):
        assert track(client, filed.code, "1111222233334444").status_code == 422
    assert track(client, filed.code, filed.secret).status_code == 429  # even the right pair, for now


def test_number_typed_without_dashes_and_secret_with_spaces(client, township_tree):
    filed = file()
    assert track(client, filed.code.replace("-", ""), format_secret(filed.secret)).status_code == 302


def test_case_page_shows_public_timeline_only(client, township_tree, make_user):
    clerk = make_user("clerk", "handler", ["629901000000"])
    clerk.display_name = "李办事员"
    filed = file()
    case = case_of(filed)
    add_event(case, "note", public=False, body="内部备注：先核实村会计", actor=clerk)
    add_event(case, "first_reply", public=True, body="已收到，正在核实", actor=clerk, actor_label="办理人员")
    db.session.commit()
    other = file(text="另一件事：低保")
    add_event(case_of(other), "first_reply", public=True, body="别人的案件答复")
    db.session.commit()
    page = opened(client, filed)
    assert filed.code in page and "已收到" in page and "正在核实" in page and "办理人员" in page
    assert "内部备注" not in page and "李办事员" not in page and "clerk" not in page
    assert "别人的案件答复" not in page and other.code not in page
    assert "村道维修款去向不明" in page


def test_clock_states_from_stored_deadlines(client, township_tree):
    filed = file(received_at=utcnow() - timedelta(days=40))
    case = case_of(filed)
    meet_clock(case, ClockKind.PROGRESS, case.clock(ClockKind.PROGRESS).due_at - timedelta(days=1))
    db.session.commit()
    page = opened(client, filed)
    reply = re.search(r"初步答复</span>.*?</li>", page, re.S).group(0)
    progress = re.search(r"核查进展告知</span>.*?</li>", page, re.S).group(0)
    assert "已超期" in reply and "按期完成" in progress
    assert local(case.clock(ClockKind.REPLY).due_at).strftime("%Y年%m月%d日") in reply

    fresh_page = opened(client, file())
    assert "进行中" in fresh_page or "即将到期" in fresh_page


def test_a_provisional_deadline_is_marked_as_on_the_staff_page(client, township_tree):
    # 2031's holidays are in no calendar yet: its deadlines are counted Monday to Friday.
    page = opened(client, file(received_at=shanghai(2031, 9, 30, 10)))
    reply = re.search(r"初步答复</span>.*?</li>", page, re.S).group(0)
    assert "2031年10月03日前（预计）" in reply and "暂按周一至周五计算" in page

    page = opened(client, file(received_at=shanghai(2026, 9, 30, 10)))
    assert "2026年10月10日前<" in page and "预计" not in page


def test_paper_secret_is_replaced_at_first_use(client, township_tree, make_user):
    clerk = make_user("clerk", "handler", ["629901000000"])
    filed = file(channel=Channel.LETTER, registered_by=clerk)
    page = opened(client, filed)
    new = re.search(r'class="secret-box">([\d ]+)<', page).group(1)
    assert "纸质密码已经作废" in page and new.replace(" ", "") != filed.secret
    assert 'src="data:image/png;base64,' in page
    assert "纸质密码已经作废" not in client.get("/track/case").text  # shown once
    assert open_case(filed.code, filed.secret) is None and open_case(filed.code, new) is not None
    assert WRONG in track(client, filed.code, filed.secret).text
    assert track(client, filed.code, new).status_code == 302


def test_merged_case_shows_only_its_own_entries_and_the_result(client, township_tree, make_user):
    handler = make_user("clerk", "handler", ["629901000000"])
    with time_machine.travel(utcnow() - timedelta(days=30), tick=False):
        target = file(text="另一位村民先反映的")
    duplicate = file(text="同一件事")
    main = case_of(target)
    add_event(main, "first_reply", public=True, body="请您补充具体路段", actor_label="办理人员")
    main.rating, main.rating_comment = "unsatisfied", "另一位村民的意见"
    add_event(main, "rated", public=True, body="评价：不满意。另一位村民的意见")
    db.session.commit()
    actions.merge(case_of(duplicate), main, by=handler)
    page = opened(client, duplicate)
    assert "已合并办理" in page and target.code in page and "同一件事" in page
    # Nothing of the other complainant's: their timeline, rating, comments or clocks.
    assert "请您补充具体路段" not in page and "另一位村民" not in page and "不满意" not in page
    for clock in main.clocks:
        assert local(clock.due_at).strftime("%Y年%m月%d日") not in page
    own = case_of(duplicate).clock(ClockKind.REPLY)
    assert local(own.due_at).strftime("%Y年%m月%d日") in page
    assert 'id="result-heading"' not in page
    actions.close(main, "经核查，修路款已按规定使用", "不属实", by=handler)
    page = client.get("/track/case").text
    assert 'id="result-heading"' in page and "经核查，修路款已按规定使用" in page and "已办结" in page


def close(filed, days_ago: int = 0) -> Complaint:
    case = case_of(filed)
    case.status, case.closed_at = Status.CLOSED, utcnow() - timedelta(days=days_ago)
    add_event(case, "closed", public=True, body="经核查，款项已按规定使用", actor_label="办理人员")
    db.session.commit()
    return case


def post_form(client, url: str, **data):
    token = csrf_from(client.get("/track/case").text)
    return client.post(url, data={"csrf_token": token} | data)


def test_rating_unsatisfied_then_review(client, township_tree):
    filed = file()
    assert "满意吗" not in opened(client, filed)
    close(filed)
    page = client.get("/track/case").text
    assert "您对办理结果满意吗" in page and "申请复查" not in page
    assert post_form(client, "/track/case/rate", rating="unsatisfied", comment="没人来核实").status_code == 302
    page = client.get("/track/case").text
    assert "感谢您的评价" in page and "不满意" in page and "重新办理" in page and "没人来核实" in page
    assert case_of(filed).status == Status.REOPENED and "满意吗" not in page
    assert "在收到答复后30日内申请复查" in page
    assert post_form(client, "/track/case/review").status_code == 302
    page = client.get("/track/case").text
    assert "已申请复查" in page and page.count('action="/track/case/review"') == 0
    events = [(e.kind, e.is_public, e.actor_label) for e in case_of(filed).events]
    assert ("review_requested", True, "反映人") in events
    with pytest.raises(ComplaintError, match="已经申请过复查"):
        request_review(case_of(filed))


def test_satisfied_rating_closes_the_loop(client, township_tree):
    filed = file()
    opened(client, filed)
    close(filed)
    post_form(client, "/track/case/rate", rating="basically")
    case = case_of(filed)
    assert case.rating == "basically" and case.status == Status.CLOSED
    post_form(client, "/track/case/rate", rating="satisfied")
    assert case_of(filed).rating == "basically"


def test_review_refused_after_thirty_days(township_tree):
    filed = file()
    case = close(filed, days_ago=45)
    with pytest.raises(ComplaintError, match="已超过申请复查的期限"):
        request_review(case)
    with pytest.raises(ComplaintError, match="办结后"):
        request_review(case_of(file()))


def test_leaving_closes_the_case_view(client, township_tree):
    filed = file()
    opened(client, filed)
    assert post_form(client, "/track/leave").status_code == 302
    assert client.get("/track/case").status_code == 302


def copy_of(app, client):
    """Another browser holding the same session cookie (a kiosk's, a shared phone's, a copy)."""
    other = app.test_client()
    other.set_cookie("session", client.get_cookie("session").value)
    return other


def test_leaving_ends_the_view_on_the_server(app, client, township_tree):
    opened(client, file())
    copy = copy_of(app, client)
    assert copy.get("/track/case").status_code == 200
    assert post_form(client, "/track/leave").status_code == 302
    assert copy.get("/track/case").status_code == 302  # the copied cookie opens nothing now
    assert db.session.scalar(select(func.count()).select_from(TrackingSession)) == 0


def kiosk_reset(client):
    token = client.get("/kiosk/reset")
    assert token.status_code == 200 and token.headers["Cache-Control"] == "no-store"
    return client.post("/kiosk/reset", headers={"X-CSRFToken": token.json["token"]})


def test_kiosk_reset_ends_the_view_and_forgets_filings_on_the_server(app, client, township_tree):
    client.set_cookie("kiosk", "629901101000")
    filed = file()
    opened(client, filed)
    client.get("/complain?village=629901101201")
    copy = copy_of(app, client)
    assert client.post("/kiosk/reset").status_code == 400  # no token: nothing ends, nothing forged
    assert copy.get("/track/case").status_code == 200
    assert kiosk_reset(client).status_code == 204
    assert copy.get("/track/case").status_code == 302 and client.get("/track/case").status_code == 302
    assert "track" not in session_of(app, client) and "filed" not in session_of(app, client)


def session_of(app, client) -> dict:
    return app.session_interface.get_signing_serializer(app).loads(client.get_cookie("session").value)


@pytest.mark.parametrize(
    "kiosk,open_after,closed_after",
    [
        (True, timedelta(minutes=9), timedelta(minutes=11)),
        (False, timedelta(hours=1, minutes=50), timedelta(hours=2, minutes=1)),
    ],
)
def test_case_view_expires_on_the_server_in_minutes_on_a_kiosk(
    app, client, township_tree, kiosk, open_after, closed_after
):
    if kiosk:
        client.set_cookie("kiosk", "629901101000")
    filed = file()
    with time_machine.travel(utcnow(), tick=False) as clock:
        opened(client, filed)
        copy = copy_of(app, client)
        clock.shift(open_after)
        assert copy.get("/track/case").status_code == 200
        clock.shift(closed_after - open_after)
        assert copy.get("/track/case").status_code == 302
        assert client.get("/track/case").status_code == 302


def test_a_session_from_before_server_side_tracking_opens_nothing_and_breaks_nothing(client, township_tree):
    filed = file()
    with client.session_transaction() as session:  # what the previous release kept in the cookie
        session["track"] = {"id": case_of(filed).id, "at": 4102444800}
        session["fresh"] = {"code": filed.code, "secret": "1234567812345678"}
    assert client.get("/track/case").status_code == 302
    page = opened(client, filed)
    assert filed.code in page and "1234 5678 1234 5678" not in page
