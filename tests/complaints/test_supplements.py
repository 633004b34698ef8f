"""补充材料 from the tracking page: the complainant answers a request for material (or adds more
on their own) with text, photos and a recording, checked and cleaned as at filing; it lands in
the timeline, ends the wait, and restarts paused clocks (docs/clocks.md)."""

import io
from datetime import date
from pathlib import Path

import pytest
import time_machine
from PIL import Image
from sqlalchemy import select
from factories import file_case
from support import csrf_from, open_tracking

from admin.cases import actions
from core import storage
from core.extensions import db
from core.settings import CountySettings
from core.timezone import local_date, shanghai
from complaints.models import Attachment, CaseEvent, ClockKind, Status

from .test_attachments import PHP, photo_with_gps, wav


@pytest.fixture
def handler(township_tree, make_user):
    return make_user("handler", "handler", ["629901101000"])


def new_case():
    return file_case(text="村道维修款去向不明")


def send(client, case_page: str, text: str = "", photos=(), voice=None, csrf: bool = True):
    data = {"text": text, "photos": [(io.BytesIO(body), name) for name, body in photos]}
    if voice:
        data["voice"] = (io.BytesIO(voice[1]), voice[0])
    if csrf:
        data["csrf_token"] = csrf_from(case_page.split('class="card supplement-form')[1])
    return client.post("/track/case/material", data=data, content_type="multipart/form-data")


def stored_files(app) -> list:
    folder = Path(app.config["UPLOAD_DIR"]) / "attachments"
    return sorted(folder.iterdir()) if folder.is_dir() else []


def events(case, kind: str) -> list[CaseEvent]:
    return list(db.session.scalars(select(CaseEvent).where(CaseEvent.complaint_id == case.id, CaseEvent.kind == kind)))


def test_material_asked_for_is_sent_from_the_tracking_page_and_restarts_the_clocks(client, app, handler):
    db.session.add(CountySettings(county_code="629901000000", clock_pausing_enabled=True))
    db.session.commit()
    with time_machine.travel(shanghai(2026, 6, 8, 10), tick=False):  # Mon
        filed, case = new_case()
    with time_machine.travel(shanghai(2026, 6, 9, 9), tick=False):  # Tue
        actions.reply(case, "request_info", "请补充发票照片", by=handler)
    progress = case.clock(ClockKind.PROGRESS)
    assert progress.paused_at is not None and case.status == Status.AWAITING_INFO
    with time_machine.travel(shanghai(2026, 6, 15, 10), tick=True):  # Mon, a week later
        page = open_tracking(client, filed)
        assert "办理人员请您补充材料" in page and "请补充发票照片" in page and "提交补充材料" in page
        response = send(
            client, page, "发票在村会计那里，照片附上", photos=[("a.jpg", photo_with_gps())], voice=("rec.wav", wav())
        )
        assert response.status_code == 302
        after = client.get(response.headers["Location"]).text
    db.session.expire_all()
    assert case.status == Status.IN_PROGRESS
    # Tue 06-09 to Tue 06-23 were 10 working days left; they restart after Mon 06-15, which is
    # not counted, and Fri 06-19 is the Dragon Boat holiday.
    assert progress.paused_at is None and local_date(progress.due_at) == date(2026, 6, 30)
    assert case.next_due_at is not None
    [added] = events(case, "supplement")
    assert added.is_public and added.actor_label == "反映人" and added.actor_id is None
    assert "发票在村会计那里" in added.body and "照片1张、录音1段" in added.body
    assert "答复期限恢复计算" in events(case, "material_received")[0].body
    assert "反映人补充材料" in after and "发票在村会计那里" in after and "已收到您补充的材料" in after
    photo = db.session.scalar(select(Attachment).where(Attachment.complaint_id == case.id, Attachment.kind == "image"))
    data = storage.load("attachments", photo.stored_name)
    assert b"Exif" not in data and not Image.open(io.BytesIO(data)).getexif()
    assert "办理人员请您补充材料" not in after  # the wait is over


def test_a_complainant_adds_to_an_open_case_on_their_own(client, handler):
    filed, case = new_case()
    page = open_tracking(client, filed)
    assert "补充反映内容" in page and "办理人员请您补充材料" not in page
    assert send(client, page, "又想起一件事：款是去年三月拨的").status_code == 302
    db.session.expire_all()
    assert case.status == Status.RECEIVED  # no wait ended, nothing else changes
    assert [e.body for e in events(case, "supplement")] == ["又想起一件事：款是去年三月拨的"]
    assert events(case, "material_received") == []


def test_a_bad_file_refuses_everything_and_keeps_the_text(client, app, handler):
    filed, case = new_case()
    page = open_tracking(client, filed)
    response = send(client, page, "照片见附件", photos=[("ok.jpg", photo_with_gps((20, 20))), ("x.jpg", PHP)])
    assert response.status_code == 422 and "不是能识别的照片" in response.text
    assert "照片见附件" in response.text
    assert stored_files(app) == [] and events(case, "supplement") == []
    empty = send(client, page, "   ")
    assert empty.status_code == 422 and "请写下要补充的内容" in empty.text


def test_too_many_photos_are_refused_as_at_filing(client, handler):
    filed, case = new_case()
    page = open_tracking(client, filed)
    response = send(client, page, "照片", photos=[(f"{n}.jpg", photo_with_gps((20, 20))) for n in range(6)])
    assert response.status_code == 422 and "最多只能上传5张照片" in response.text


def test_it_needs_the_tracking_session_and_the_csrf_token(client, handler):
    filed, case = new_case()
    page = open_tracking(client, filed)
    assert send(client, page, "没有令牌", csrf=False).status_code == 400
    client.post("/track/leave", data={"csrf_token": csrf_from(page.split('class="leave-form"')[1])})
    response = send(client, page, "退出后再发")
    assert response.status_code in (302, 400) and events(case, "supplement") == []


def test_a_closed_case_takes_no_more_material(client, handler):
    filed, case = new_case()
    actions.close(case, "已核实处理", "属实", by=handler)
    page = open_tracking(client, filed)
    assert 'class="card supplement-form' not in page
    token = csrf_from(page)
    response = client.post("/track/case/material", data={"csrf_token": token, "text": "还有一件事"})
    assert response.status_code == 302 and "不能再补充材料" in client.get(response.headers["Location"]).text
    assert events(case, "supplement") == []


def test_the_handler_sees_it_in_the_staff_timeline(client, login, handler):
    filed, case = new_case()
    send(client, open_tracking(client, filed), "补充：经手人是村会计")
    client.post("/track/leave", data={"csrf_token": csrf_from(client.get("/track/case").text)})
    login("handler")
    staff = client.get(f"/admin/cases/{case.id}").text
    assert "补充：经手人是村会计" in staff and "<strong>反映人补充材料</strong>" in staff
