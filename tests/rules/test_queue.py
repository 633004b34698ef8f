"""Warnings in the handlers' queue: the grade's clock, the same actions as complaints, swept and
escalated like them; never public, never in public statistics, never seen by the supervised."""

from datetime import date, datetime, timedelta

import pytest
import time_machine
from rule_rows import V1, V3, payment, person
from sqlalchemy import select
from support import csrf_from

from core.extensions import db
from core.timezone import SHANGHAI, shanghai

A, B, C = person(1), person(2), person(3)
ARRIVED = datetime(2026, 11, 18, 10, 0, tzinfo=SHANGHAI)  # a Wednesday


@pytest.fixture
def raised(county, subsidies, roster, run_rules):
    """A grade-1 (DECEASED_RECIPIENT), a grade-2 (DUPLICATE_PAYMENT) and a grade-3
    (CADRE_RELATIVE_RECIPIENT) warning in 青山村, and a grade-2 one in 河口村 (another township)."""
    roster("deceased", f"姓名,身份证号,死亡日期\n甲,{A},2026-01-05\n")
    roster("cadres", f"村代码,姓名,身份证号,职务,关联干部身份证号,关系\n{V1},丙,{C},村委委员,,本人\n")
    subsidies(V1, payment(A), payment(B), payment(B), payment(C))
    subsidies(V3, payment(B), payment(B))
    with time_machine.travel(ARRIVED, tick=False):
        run_rules(as_of=date(2026, 11, 18))
    from rules.models import RuleWarning

    return {(w.rule_code, w.village_code): w for w in db.session.scalars(select(RuleWarning))}


def test_each_grade_gets_its_clock(raised):
    from complaints.models import ClockKind

    def clock(rule, village=V1):
        case = raised[(rule, village)].complaint
        assert case.channel == "warning" and case.secret_hash == "" and case.code.startswith("YJ2026-629901101-")
        return case.clock(ClockKind.VERIFY), case.next_due_at

    verify, due = clock("DECEASED_RECIPIENT")
    assert verify.due_at == ARRIVED + timedelta(hours=24) == due
    verify, due = clock("DUPLICATE_PAYMENT")
    assert verify.due_at == shanghai(2026, 11, 23, 23, 59, 59) == due  # Thu, Fri, Mon
    verify, due = clock("CADRE_RELATIVE_RECIPIENT")
    assert verify is None and due is None


def test_an_overdue_warning_is_escalated_like_a_complaint(raised, make_user):
    from admin.models import Reminder
    from admin.sweep import sweep

    lead = make_user("lead", role="handler", regions=["629901101000"], is_lead=True)
    result = sweep(ARRIVED + timedelta(hours=25))
    escalated = db.session.scalars(select(Reminder.complaint_id).where(Reminder.user_id == lead.id)).all()
    assert raised[("DECEASED_RECIPIENT", V1)].complaint_id in escalated
    assert raised[("DUPLICATE_PAYMENT", V1)].complaint_id not in escalated
    assert result.escalations >= 1


def test_warnings_never_reach_public_statistics_or_tracking(raised, client):
    from complaints.stats import year_stats

    months, total = year_stats("629901", 2026, ARRIVED + timedelta(days=1))
    assert total.received == 0 and total.closed == 0
    page = client.get("/stats?region=629901000000&year=2026")
    assert page.status_code == 200
    case = raised[("DECEASED_RECIPIENT", V1)].complaint
    track = client.get("/track")
    refused = client.post("/track", data={"csrf_token": csrf_from(track.text), "code": case.code, "secret": ""})
    assert refused.status_code == 422
    from complaints.services import open_case

    assert open_case(case.code, "") is None


@pytest.mark.parametrize(
    "role, regions, status",
    [
        ("accountant", [V1], 403),
        ("reviewer", ["629901101000"], 403),
        ("handler", ["629901102000"], 404),
        ("inspector", ["629901000000"], 404),
        ("handler", ["629901101000"], 200),
    ],
)
def test_who_sees_a_warning(raised, client, make_user, login, role, regions, status):
    case = raised[("DECEASED_RECIPIENT", V1)].complaint
    make_user("someone", role=role, regions=regions)
    login("someone")
    page = client.get(f"/admin/cases/{case.id}")
    assert page.status_code == status
    if status == 200:
        assert "死亡人员领取补贴" in page.text and A not in page.text
        assert A[:6] + "********" + A[-4:] in page.text


def test_a_handler_verifies_and_closes_a_warning(raised, client, make_user, login):
    from complaints.models import ClockKind

    make_user("chuli", role="handler", regions=["629901101000"])
    login("chuli")
    warning = raised[("DUPLICATE_PAYMENT", V1)]
    queue = client.get("/admin/cases?channel=warning")
    assert warning.complaint.code in queue.text and raised[("DUPLICATE_PAYMENT", V3)].complaint.code not in queue.text
    page = client.get(f"/admin/cases/{warning.complaint_id}")
    assert "记录核查启动" in page.text and "公开答复" not in page.text
    token = csrf_from(page.text)
    assert (
        client.post(
            f"/admin/cases/{warning.complaint_id}/verify",
            data={"csrf_token": token, "verify": "安排王某到村核对发放台账"},
        ).status_code
        == 302
    )
    refused = client.post(
        f"/admin/cases/{warning.complaint_id}/close",
        data={"csrf_token": token, "result": "已解决", "classification": "已解决"},
    )
    assert refused.status_code == 422
    closed = client.post(
        f"/admin/cases/{warning.complaint_id}/close",
        data={"csrf_token": token, "result": "经核查重复发放属实，已追回", "classification": "属实"},
    )
    assert closed.status_code == 302
    db.session.expire_all()
    case = warning.complaint
    assert case.status == "closed" and case.classification == "属实"
    assert case.clock(ClockKind.VERIFY).met_at is not None

    from rules.queries import counts_by_rule

    counts = counts_by_rule()["DUPLICATE_PAYMENT"]
    assert (counts.open, counts.closed, counts.hit_rate) == (1, 1, "100%")
