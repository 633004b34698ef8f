"""A referral's answer clock: moved by a calendar load like the case's own clocks, and extended
once by a lead's approval, with the reason on the public timeline."""

import re
from datetime import date

import pytest
import time_machine
from sqlalchemy import select
from factories import file_case
from support import open_tracking, statutory_rest_rows

from admin.cases import actions, referrals
from admin.models import ClockExtension, Decision, Department, Referral
from complaints.models import Complaint
from core.extensions import db
from core.timezone import local_date, shanghai

SUMMARY = "反映修路款去向问题，请核查"


@pytest.fixture
def people(make_people):
    return make_people("lead", "handler", "far")


@pytest.fixture
def department(township_tree):
    found = Department(county_code="629901000000", name="县农业农村局")
    db.session.add(found)
    db.session.commit()
    return found


def post(client, url: str, **data):
    return client.post(url, data={"csrf_token": client.token, **data})


def fresh(referral: Referral) -> Referral:
    db.session.expire_all()
    return db.session.get(Referral, referral.id)


def test_a_calendar_load_moves_unanswered_referral_deadlines(cli, people, department, tmp_path):
    with time_machine.travel(shanghai(2031, 9, 29, 10), tick=False):  # Mon; 2031 is not loaded
        _, case = file_case()
        waiting = referrals.refer(case, department, SUMMARY, by=people["handler"])
        answered = referrals.refer(case, department, SUMMARY, by=people["handler"])
        referrals.record_referral_answer(answered, "已核查", by=people["handler"])
    assert local_date(waiting.due_at) == date(2031, 10, 20) and waiting.provisional  # 15 days Mon–Fri
    before = answered.due_at
    path = tmp_path / "2031.csv"
    path.write_text("\n".join(("日期,类型", "2031-10-06,休息", "2031-10-07,休息") + statutory_rest_rows(2031)))
    assert cli.invoke(args=["calendar", "load", str(path)]).exit_code == 0
    waiting, answered = fresh(waiting), fresh(answered)
    # Oct 1–3 and 6–7 are rest days now: five working days later.
    assert local_date(waiting.due_at) == date(2031, 10, 27) and not waiting.provisional
    assert answered.due_at == before and answered.provisional  # met clocks keep theirs


def test_a_referral_extension_needs_a_lead_and_counts_from_the_referral(people, department):
    with time_machine.travel(shanghai(2026, 6, 1, 10), tick=False):
        _, case = file_case()
        referral = referrals.refer(case, department, SUMMARY, by=people["handler"])
        assert local_date(referral.due_at) == date(2026, 6, 23)  # 15 working days; 06-19 is a holiday
        with pytest.raises(actions.CaseError, match="1至15个工作日"):
            referrals.request_referral_extension(referral, 16, "部门需要现场核查", by=people["handler"])
        with pytest.raises(actions.CaseError, match="理由"):
            referrals.request_referral_extension(referral, 5, " ", by=people["handler"])
        with pytest.raises(actions.CaseError):
            referrals.request_referral_extension(referral, 5, "部门需要现场核查", by=people["far"])
        extension = referrals.request_referral_extension(referral, 5, "部门需要现场核查", by=people["handler"])
        with pytest.raises(actions.CaseError, match="只能延长一次"):
            referrals.request_referral_extension(referral, 3, "再延", by=people["handler"])
        with pytest.raises(actions.CaseError, match="自己"):
            referrals.decide_extension(extension, True, by=people["handler"])
        referrals.decide_extension(extension, True, by=people["lead"])
    referral = fresh(referral)
    assert referral.extension_days == 5 and local_date(referral.due_at) == date(2026, 6, 30)
    assert db.session.get(ClockExtension, extension.id).status == Decision.APPROVED
    case = db.session.get(Complaint, case.id)
    public = [e for e in case.events if e.is_public and e.kind == "referral_extended"]
    assert [e.body for e in public] == ["转办部门的答复期限延长5个工作日。理由：部门需要现场核查"]
    with pytest.raises(actions.CaseError, match="只能延长一次"):
        referrals.request_referral_extension(referral, 3, "再延", by=people["handler"])


def test_no_extension_once_the_department_has_answered(people, department):
    _, case = file_case()
    referral = referrals.refer(case, department, SUMMARY, by=people["handler"])
    extension = referrals.request_referral_extension(referral, 5, "部门需要现场核查", by=people["handler"])
    referrals.record_referral_answer(referral, "已核查", by=people["handler"])
    with pytest.raises(actions.CaseError, match="已经答复"):
        referrals.request_referral_extension(referral, 5, "部门需要现场核查", by=people["handler"])
    with pytest.raises(actions.CaseError, match="不批准"):
        referrals.decide_extension(extension, True, by=people["lead"])
    db.session.rollback()
    referrals.decide_extension(db.session.get(ClockExtension, extension.id), False, by=people["lead"])
    assert fresh(referral).extension_days == 0


def test_referral_extension_through_the_case_page_and_on_the_tracking_page(app, as_user, people, department):
    with time_machine.travel(shanghai(2026, 6, 1, 10), tick=False):
        filed, case = file_case()
        handler = as_user("handler")
        assert (
            post(handler, f"/admin/cases/{case.id}/refer", department=str(department.id), summary=SUMMARY).status_code
            == 302
        )
        assert post(handler, f"/admin/cases/{case.id}/reply", kind="first_reply", reply="已受理").status_code == 302
        referral = db.session.scalar(select(Referral).where(Referral.complaint_id == case.id))
        page = handler.get(f"/admin/cases/{case.id}").text
        assert "申请延长县农业农村局的答复期限" in page and f'id="referral-days-{referral.id}"' in page
        url = f"/admin/cases/{case.id}/referral-extension"
        refused = post(
            handler,
            url,
            referral_id=str(referral.id),
            referral_extension_days="20",
            referral_extension_reason="部门需要现场核查",
        )
        assert refused.status_code == 422 and "延期为1至15个工作日" in refused.text
        assert (
            post(
                handler,
                url,
                referral_id="99999",
                referral_extension_days="5",
                referral_extension_reason="部门需要现场核查",
            ).status_code
            == 422
        )
        assert db.session.scalar(select(ClockExtension.id)) is None
        assert (
            post(
                handler,
                url,
                referral_id=str(referral.id),
                referral_extension_days="5",
                referral_extension_reason="部门需要现场核查",
            ).status_code
            == 302
        )
        page = handler.get(f"/admin/cases/{case.id}").text
        assert "延期申请（5个工作日）正在等待负责人审批" in page and "申请延长县农业农村局的答复期限" not in page
        assert "申请延长办理期限" in page  # a referral's request leaves the statutory one free

        lead = as_user("lead")
        approvals = lead.get("/admin/approvals").text
        assert "县农业农村局答复期限延长5个工作日" in approvals and "部门需要现场核查" in approvals
        extension = db.session.scalar(select(ClockExtension))
        assert (
            post(
                lead, f"/admin/cases/{case.id}/extension/decide", request_id=str(extension.id), decision="approve"
            ).status_code
            == 302
        )
        assert "已延长5个工作日" in lead.get(f"/admin/cases/{case.id}").text
    assert local_date(fresh(referral).due_at) == date(2026, 6, 30)

    timeline = open_tracking(app.test_client(), filed)
    assert "转办部门的答复期限延长5个工作日。理由：部门需要现场核查" in timeline
    assert "县农业农村局" not in timeline
    assert not re.search(r"extension|referral_id", timeline)
