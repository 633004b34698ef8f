"""The back office through the web: the queue, the case page and every action on it, refusals,
scope (404) and roles (403), identity requests, a lead's approvals, reminders, reference lists."""

import re
from datetime import datetime, timedelta, timezone

import pytest
import time_machine
from sqlalchemy import func, select
from factories import NAME, PHONE, new_case
from support import csrf_from

from admin.cases import actions
from admin.models import ClockExtension, Decision, Department, IdentityRequest, Reminder, ReplyTemplate
from complaints.models import CaseEvent, ClockKind, Complaint, Status
from core.audit import AuditEntry
from core.extensions import db
from core.settings import CountySettings
from core.users.models import User


def post(client, url: str, **data):
    return client.post(url, data={"csrf_token": client.token, **data})


def fresh(case: Complaint) -> Complaint:
    db.session.expire_all()
    return db.session.get(Complaint, case.id)


def event_count(case: Complaint) -> int:
    return db.session.scalar(select(func.count()).select_from(CaseEvent).where(CaseEvent.complaint_id == case.id))


def flashed(response) -> str:
    return " ".join(re.findall(r'class="flash[^"]*"[^>]*>([^<]+)<', response.text))


# Every case route with a sample of what it posts.
CASE_ROUTES = [
    ("get", "/admin/cases"),
    ("get", "/admin/cases/{id}"),
    ("get", "/admin/approvals"),
    ("get", "/admin/reminders"),
] + [
    ("post", f"/admin/cases/{{id}}/{action}")
    for action in (
        "assign",
        "reply",
        "note",
        "refer",
        "referral-answer",
        "referral-extension",
        "material",
        "extension",
        "merge",
        "close",
        "feedback",
        "reopen",
        "conflict",
        "identity/request",
        "identity/reveal",
        "identity/decide",
        "extension/decide",
    )
]


@pytest.mark.parametrize("role", ["accountant", "reviewer"])
def test_supervised_people_get_403_on_every_case_route(as_user, role):
    case = new_case()
    client = as_user(role)
    for method, url in CASE_ROUTES:
        response = getattr(client, method)(url.format(id=case.id), data={"csrf_token": client.token})
        assert response.status_code == 403, (url, response.status_code)


def test_queue_shows_cases_in_scope_with_their_nearest_clock(as_user, people):
    now = datetime.now(timezone.utc)
    old = new_case(received_at=now - timedelta(days=30))
    fresh_case = new_case()
    client = as_user("handler")
    page = client.get("/admin/cases")
    assert page.status_code == 200
    assert old.code in page.text and fresh_case.code in page.text
    assert page.text.index(old.code) < page.text.index(fresh_case.code)  # overdue first
    assert "已超期" in page.text and "初步答复" in page.text and "青山村" in page.text
    overdue = client.get("/admin/cases?clock=overdue")
    assert old.code in overdue.text and fresh_case.code not in overdue.text
    assert "没有符合筛选条件的案件" in client.get("/admin/cases?assignee=me").text
    assert "暂时没有案件" in as_user("far").get("/admin/cases").text


def test_queue_filters_ignore_bad_values(as_user, people):
    case = new_case()
    page = as_user("handler").get("/admin/cases?date_from=not-a-date&region=999&assignee=none&q=修路")
    assert page.status_code == 200 and case.code in page.text


def test_queue_paginates_by_fifty(as_user, people):
    for _ in range(51):
        new_case()
    client = as_user("handler")
    assert client.get("/admin/cases").text.count('data-label="编号"') == 50
    assert client.get("/admin/cases?page=2").text.count('data-label="编号"') == 1


def test_out_of_scope_and_conflicted_users_get_404(as_user, people):
    case = new_case()
    far = as_user("far")
    assert far.get(f"/admin/cases/{case.id}").status_code == 404
    assert post(far, f"/admin/cases/{case.id}/reply", kind="first_reply", reply="x").status_code == 404
    assert far.get("/admin/cases/999999").status_code == 404
    handler = as_user("handler")
    response = post(handler, f"/admin/cases/{case.id}/conflict", conflict_reason="反映对象是我的亲属")
    assert response.status_code == 302 and response.location.endswith("/admin/cases")
    assert handler.get(f"/admin/cases/{case.id}").status_code == 404
    assert post(handler, f"/admin/cases/{case.id}/note", note="x").status_code == 404
    assert case.code not in handler.get("/admin/cases").text


def test_admin_sees_the_case_but_may_not_act(as_user, people):
    case = new_case()
    admin = as_user("admin")
    page = admin.get(f"/admin/cases/{case.id}")
    assert page.status_code == 200 and "公开答复" not in page.text
    assert post(admin, f"/admin/cases/{case.id}/reply", kind="first_reply", reply="x").status_code == 403
    assert event_count(case) == 1


def test_first_reply_progress_and_close_through_the_web(as_user, people):
    case = new_case()
    client = as_user("handler")
    page = client.get(f"/admin/cases/{case.id}")
    assert re.search(r'checked[^>]*value="first_reply"', page.text)  # the page suggests what is due
    response = post(client, f"/admin/cases/{case.id}/reply", kind="first_reply", reply="已收到，正在核实")
    assert response.status_code == 302
    page = client.get(response.location)
    assert "初步答复已发送" in flashed(page) and "已收到，正在核实" in page.text
    assert re.search(r'checked[^>]*value="progress"', page.text)
    post(client, f"/admin/cases/{case.id}/reply", kind="progress", reply="已调取账目，正在核对")
    response = post(client, f"/admin/cases/{case.id}/close", result="经核实，款项用于村道维修", classification="不属实")
    assert "办理结果已公开" in flashed(client.get(response.location))
    case = fresh(case)
    assert case.status == Status.CLOSED and case.classification == "不属实"
    assert case.clock(ClockKind.REPLY).met_at and case.clock(ClockKind.PROGRESS).met_at
    assert case.assignee_id == people["handler"].id


def test_refusals_answer_422_in_chinese_and_change_nothing(as_user, people):
    case = new_case()
    client = as_user("handler")
    before = event_count(case)
    bad_form = post(client, f"/admin/cases/{case.id}/close", result="已核实", classification="随便")
    assert bad_form.status_code == 422 and "field-error" in bad_form.text
    empty = post(client, f"/admin/cases/{case.id}/reply", kind="first_reply", reply="  ")
    assert empty.status_code == 422 and "请填写答复内容" in empty.text
    not_waiting = post(client, f"/admin/cases/{case.id}/material")
    assert not_waiting.status_code == 422 and "案件不在等待补充材料状态" in not_waiting.text
    too_early = post(client, f"/admin/cases/{case.id}/extension", extension_days="10", extension_reason="复杂")
    assert too_early.status_code == 422 and "受理" in too_early.text
    not_closed = post(client, f"/admin/cases/{case.id}/reopen", reopen_reason="再看看")
    assert not_closed.status_code == 422 and "只有已办结的案件" in not_closed.text
    assert event_count(case) == before and fresh(case).status == Status.RECEIVED


def test_no_reply_on_a_merged_case(as_user, people):
    first, duplicate = new_case(), new_case()
    client = as_user("handler")
    unknown = post(client, f"/admin/cases/{duplicate.id}/merge", into_code="2026-000000000-9999")
    assert unknown.status_code == 422 and "找不到这件案件" in unknown.text
    far_case = new_case(village="629901102201")
    hidden = post(client, f"/admin/cases/{duplicate.id}/merge", into_code=far_case.code)
    assert hidden.status_code == 422 and "找不到这件案件" in hidden.text  # out of scope reads as unknown
    neighbour = new_case(village="629901101202")
    no_reason = post(client, f"/admin/cases/{neighbour.id}/merge", into_code=first.code)
    assert no_reason.status_code == 422 and "请写明合并的理由" in no_reason.text and "合并理由" in no_reason.text
    assert fresh(neighbour).merged_into_id is None
    assert (
        post(
            client, f"/admin/cases/{neighbour.id}/merge", into_code=first.code, merge_reason="两村交界的同一段路"
        ).status_code
        == 302
    )
    assert post(client, f"/admin/cases/{duplicate.id}/merge", into_code=first.code).status_code == 302
    assert fresh(duplicate).merged_into_id == first.id and fresh(neighbour).merged_into_id == first.id
    page = client.get(f"/admin/cases/{duplicate.id}")
    assert first.code in page.text and "公开答复" not in page.text
    refused = post(client, f"/admin/cases/{duplicate.id}/reply", kind="progress", reply="还在查")
    assert refused.status_code == 422 and "已办结或已合并" in refused.text


def test_take_and_assign_only_to_colleagues_who_may_work_it(as_user, people):
    case = new_case()
    client = as_user("handler")
    page = client.get(f"/admin/cases/{case.id}")
    options = re.search(r'<select[^>]*name="assignee".*?</select>', page.text, re.S).group(0)
    assert "handler（本人）" in options and "colleague" in options and "lead" in options and "far" not in options
    assert post(client, f"/admin/cases/{case.id}/assign", assignee=str(people["handler"].id)).status_code == 302
    assert fresh(case).assignee_id == people["handler"].id
    assert post(client, f"/admin/cases/{case.id}/assign", assignee=str(people["far"].id)).status_code == 422
    assert post(client, f"/admin/cases/{case.id}/assign", assignee=str(people["colleague"].id)).status_code == 302
    assert fresh(case).assignee_id == people["colleague"].id
    assert case.code in as_user("colleague").get("/admin/cases?assignee=me").text


def test_internal_note_with_a_template_inserted(as_user, people):
    db.session.add_all(
        [
            ReplyTemplate(category="funds", title="资金类初步答复", body="您反映的资金问题已收到。"),
            ReplyTemplate(category="subsidy", title="补贴类", body="补贴模板"),
        ]
    )
    db.session.commit()
    template_id = db.session.scalar(select(ReplyTemplate.id).where(ReplyTemplate.category == "funds"))
    case = new_case()
    client = as_user("handler")
    page = client.get(f"/admin/cases/{case.id}")
    assert "资金类初步答复" in page.text and "补贴类" not in page.text  # only the case's category
    inserted = post(
        client, f"/admin/cases/{case.id}/note", note="先看账目。", note_template=str(template_id), insert="1"
    )
    assert inserted.status_code == 200 and "先看账目。\n您反映的资金问题已收到。</textarea>" in inserted.text
    assert event_count(case) == 1  # inserting saves nothing
    saved = post(client, f"/admin/cases/{case.id}/note", note="村会计下周约谈")
    page = client.get(saved.location)
    assert "内部备注已保存" in flashed(page) and "村会计下周约谈" in page.text and "内部" in page.text
    assert not db.session.scalar(select(CaseEvent.is_public).where(CaseEvent.kind == "note"))


def test_refer_to_a_department_and_record_its_answer(as_user, people):
    db.session.add_all(
        [
            Department(county_code="629901000000", name="县农业农村局"),
            Department(county_code="629901000000", name="县医保局", is_active=False),
        ]
    )
    db.session.commit()
    department = db.session.scalar(select(Department).where(Department.name == "县农业农村局"))
    case = new_case(real_name=True)
    client = as_user("handler")
    page = client.get(f"/admin/cases/{case.id}")
    assert "县农业农村局" in page.text and "县医保局" not in page.text
    leak = post(client, f"/admin/cases/{case.id}/refer", department=str(department.id), summary=f"{NAME}反映修路款")
    assert leak.status_code == 422 and "不能包含反映人的姓名或电话" in leak.text
    assert (
        post(
            client, f"/admin/cases/{case.id}/refer", department=str(department.id), summary="反映修路款去向问题，请核查"
        ).status_code
        == 302
    )
    page = client.get(f"/admin/cases/{case.id}")
    assert "县农业农村局" in page.text and "答复期限" in page.text
    referral_id = re.search(r'name="referral_id" value="(\d+)"', page.text).group(1)
    assert (
        post(
            client,
            f"/admin/cases/{case.id}/referral-answer",
            referral_id=referral_id,
            answer="已核查，款项用于村道维修",
        ).status_code
        == 302
    )
    again = post(client, f"/admin/cases/{case.id}/referral-answer", referral_id=referral_id, answer="again")
    assert again.status_code == 422 and "已记录过部门答复" in again.text
    other = post(client, f"/admin/cases/{case.id}/referral-answer", referral_id="99999", answer="x")
    assert other.status_code == 422


def test_request_for_information_pauses_clocks_only_where_enabled(as_user, people):
    client = as_user("handler")
    running = new_case()
    post(client, f"/admin/cases/{running.id}/reply", kind="request_info", reply="请补充发票照片")
    assert fresh(running).clock(ClockKind.PROGRESS).paused_at is None  # pausing is off by default
    db.session.add(CountySettings(county_code="629901000000", clock_pausing_enabled=True))
    db.session.commit()
    case = new_case()
    post(client, f"/admin/cases/{case.id}/reply", kind="request_info", reply="请补充发票照片")
    case = fresh(case)
    assert case.status == Status.AWAITING_INFO and case.clock(ClockKind.PROGRESS).paused_at is not None
    assert case.next_due_at == case.clock(ClockKind.LEGAL).due_at  # the statutory limit runs in calendar days
    assert "已暂停" in client.get(f"/admin/cases/{case.id}").text
    assert post(client, f"/admin/cases/{case.id}/material").status_code == 302
    case = fresh(case)
    assert case.status == Status.IN_PROGRESS and case.clock(ClockKind.PROGRESS).paused_at is None
    assert case.clock(ClockKind.PROGRESS).due_at > case.clock(ClockKind.PROGRESS).starts_at


def test_pause_and_resume_in_the_services(people):
    db.session.add(CountySettings(county_code="629901000000", clock_pausing_enabled=True))
    db.session.commit()
    case = new_case(received_at=datetime(2026, 11, 2, 2, tzinfo=timezone.utc))
    # The day after arrival: an overdue clock would not stop.
    with time_machine.travel(datetime(2026, 11, 3, 2, tzinfo=timezone.utc), tick=False):
        actions.reply(case, "request_info", "请补充材料", by=people["handler"])
    progress = case.clock(ClockKind.PROGRESS)
    assert progress.paused_at is not None and any(e.kind == "paused" and e.is_public for e in case.events)
    with time_machine.travel(datetime(2026, 11, 4, 2, tzinfo=timezone.utc), tick=False):
        actions.reply(case, "progress", "未收到材料，先行核查", by=people["handler"])  # answering ends the wait
    assert progress.paused_at is None and case.status == Status.IN_PROGRESS


def test_extension_requested_and_decided_by_a_lead(as_user, people):
    case = new_case()
    client = as_user("handler")
    post(client, f"/admin/cases/{case.id}/reply", kind="first_reply", reply="已受理")
    assert (
        post(client, f"/admin/cases/{case.id}/extension", extension_days="31", extension_reason="复杂").status_code
        == 422
    )
    assert (
        post(
            client, f"/admin/cases/{case.id}/extension", extension_days="20", extension_reason="涉及多个部门"
        ).status_code
        == 302
    )
    assert "等待负责人审批" in client.get(f"/admin/cases/{case.id}").text
    assert client.get("/admin/approvals").status_code == 403  # not a lead
    extension = db.session.scalar(select(ClockExtension))
    assert (
        post(
            client, f"/admin/cases/{case.id}/extension/decide", request_id=str(extension.id), decision="approve"
        ).status_code
        == 403
    )
    lead = as_user("lead")
    approvals = lead.get("/admin/approvals")
    assert "涉及多个部门" in approvals.text and case.code in approvals.text
    response = post(
        lead,
        f"/admin/cases/{case.id}/extension/decide",
        request_id=str(extension.id),
        decision="approve",
        back="approvals",
    )
    assert response.status_code == 302 and response.location.endswith("/admin/approvals")
    assert fresh(case).clock(ClockKind.LEGAL).extension_days == 20
    assert "没有待审批的延期申请" in lead.get("/admin/approvals").text


def test_feedback_to_a_real_name_complainant_and_reopen(as_user, people):
    case = new_case(real_name=True)
    client = as_user("handler")
    post(client, f"/admin/cases/{case.id}/close", result="已追回款项", classification="属实")
    assert "记录实名反馈" in client.get(f"/admin/cases/{case.id}").text
    assert post(client, f"/admin/cases/{case.id}/feedback", feedback="11月26日电话告知").status_code == 302
    assert fresh(case).clock(ClockKind.FEEDBACK).met_at is not None
    twice = post(client, f"/admin/cases/{case.id}/feedback", feedback="again")
    assert twice.status_code == 422
    assert post(client, f"/admin/cases/{case.id}/reopen", reopen_reason="发现新线索").status_code == 302
    assert fresh(case).status == Status.REOPENED
    assert client.get("/admin/cases").text.index(case.code) > 0


def test_identity_hidden_until_approved_then_shown_only_to_the_requester(as_user, people):
    case = new_case(real_name=True)
    handler, lead, colleague = as_user("handler"), as_user("lead"), as_user("colleague")
    page = handler.get(f"/admin/cases/{case.id}")
    assert "申请查看身份" in page.text and NAME not in page.text and PHONE not in page.text
    assert post(handler, f"/admin/cases/{case.id}/identity/reveal").status_code == 422
    assert (
        post(handler, f"/admin/cases/{case.id}/identity/request", identity_reason="需电话核实细节").status_code == 302
    )
    assert "等待负责人审批" in handler.get(f"/admin/cases/{case.id}").text
    approvals = lead.get("/admin/approvals")
    assert "需电话核实细节" in approvals.text and NAME not in approvals.text
    request_id = str(db.session.scalar(select(IdentityRequest.id)))
    assert (
        post(
            lead,
            f"/admin/cases/{case.id}/identity/decide",
            request_id=request_id,
            decision="approve",
            decision_note="同意",
            back="case",
        ).status_code
        == 302
    )
    page = handler.get(f"/admin/cases/{case.id}")
    assert "查看身份" in page.text and NAME not in page.text and PHONE not in page.text
    shown = post(handler, f"/admin/cases/{case.id}/identity/reveal")
    assert shown.status_code == 200 and NAME in shown.text and PHONE in shown.text
    assert shown.headers["Cache-Control"] == "no-store"
    assert NAME not in handler.get(f"/admin/cases/{case.id}").text  # only on the page the POST returned
    for other in (lead, colleague, as_user("admin")):
        assert NAME not in other.get(f"/admin/cases/{case.id}").text
    assert post(lead, f"/admin/cases/{case.id}/identity/reveal").status_code == 422
    logged = set(db.session.scalars(select(AuditEntry.action).where(AuditEntry.target_id == str(case.id))))
    assert {"case.identity_request", "case.identity_decide", "case.identity_reveal"} <= logged


def test_denied_identity_stays_hidden(as_user, people):
    case = new_case(real_name=True)
    handler, lead = as_user("handler"), as_user("lead")
    post(handler, f"/admin/cases/{case.id}/identity/request", identity_reason="想知道是谁")
    request_id = str(db.session.scalar(select(IdentityRequest.id)))
    post(
        lead,
        f"/admin/cases/{case.id}/identity/decide",
        request_id=request_id,
        decision="deny",
        decision_note="理由不充分",
    )
    assert db.session.scalar(select(IdentityRequest.status)) == Decision.DENIED
    page = handler.get(f"/admin/cases/{case.id}")
    assert "未获批准" in page.text and "理由不充分" in page.text and NAME not in page.text
    assert post(handler, f"/admin/cases/{case.id}/identity/reveal").status_code == 422


def test_a_lead_never_decides_their_own_request(as_user, people):
    case = new_case(real_name=True)
    lead = as_user("lead")
    post(lead, f"/admin/cases/{case.id}/identity/request", identity_reason="核实")
    request_id = str(db.session.scalar(select(IdentityRequest.id)))
    assert "没有待审批的身份查看申请" in lead.get("/admin/approvals").text
    own = post(lead, f"/admin/cases/{case.id}/identity/decide", request_id=request_id, decision="approve")
    assert own.status_code == 422 and "不能审批自己的申请" in own.text
    assert db.session.scalar(select(IdentityRequest.status)) == Decision.PENDING


def test_every_reveal_notifies_the_other_leads_of_the_case(app, as_user, people, make_user):
    from admin.cases.actions import declare_conflict

    people["town_lead"] = make_user("town_lead", "handler", ["629901101000"], is_lead=True)
    people["far_lead"] = make_user("far_lead", "handler", ["629901102000"], is_lead=True)
    people["kin_lead"] = make_user("kin_lead", "handler", ["629901000000"], is_lead=True)
    case = new_case(real_name=True)
    declare_conflict(case, "反映对象是我的亲属", by=people["kin_lead"])
    handler, lead = as_user("handler"), as_user("lead")
    post(handler, f"/admin/cases/{case.id}/identity/request", identity_reason="需电话核实细节")
    request_id = str(db.session.scalar(select(IdentityRequest.id)))
    post(lead, f"/admin/cases/{case.id}/identity/decide", request_id=request_id, decision="approve")
    assert db.session.scalar(select(func.count()).select_from(Reminder)) == 0  # approving reveals nothing yet
    for _ in range(2):
        assert NAME in post(handler, f"/admin/cases/{case.id}/identity/reveal").text
    notified = db.session.execute(
        select(User.username, Reminder.level)
        .join(Reminder, Reminder.user_id == User.id)
        .where(Reminder.complaint_id == case.id)
    ).all()
    # Each reveal, to the township's lead; not to the lead who approved it, the one who looked,
    # a lead who stepped off the case, or the lead of another township.
    assert sorted(notified) == [("town_lead", "identity_revealed")] * 2
    town_lead = as_user("town_lead")
    assert "2 条未读" in town_lead.get("/admin/").text
    listing = town_lead.get("/admin/reminders").text
    assert case.code in listing and "反映人身份已被查看" in listing and NAME not in listing
    timeline = town_lead.get(f"/admin/cases/{case.id}").text
    assert (
        len(re.findall(r"<strong>查看反映人身份</strong>.*?<span class=\"muted small\">handler</span>", timeline, re.S))
        == 2
    )  # who looked, each time


def test_reminders_keep_to_the_cases_the_user_may_see(as_user, people):
    case = new_case()
    clock = case.clock(ClockKind.REPLY)
    db.session.add(Reminder(user_id=people["handler"].id, complaint_id=case.id, clock_id=clock.id, level="due_soon"))
    db.session.commit()
    client = as_user("handler")
    assert case.code in client.get("/admin/reminders").text
    post(client, f"/admin/cases/{case.id}/conflict", conflict_reason="反映对象是我的亲属")
    assert case.code not in client.get("/admin/reminders").text


def test_reminders_badge_and_list(as_user, people):
    case = new_case()
    clock = case.clock(ClockKind.REPLY)
    db.session.add_all(
        [
            Reminder(user_id=people["handler"].id, complaint_id=case.id, clock_id=clock.id, level="due_soon"),
            Reminder(user_id=people["lead"].id, complaint_id=case.id, clock_id=clock.id, level="overdue"),
        ]
    )
    db.session.commit()
    client = as_user("handler")
    assert "1 条未读" in client.get("/admin/").text
    listing = client.get("/admin/reminders")
    assert listing.status_code == 200 and case.code in listing.text and "即将到期" in listing.text
    assert "新" in listing.text
    assert "条未读" not in client.get("/admin/").text
    assert db.session.scalar(select(func.count()).select_from(Reminder).where(Reminder.read_at.is_(None))) == 1


def test_departments_and_reply_templates_are_kept_by_administrators(as_user, people):
    admin = as_user("admin")
    assert post(admin, "/admin/departments", county="629901000000", name="县医保局").status_code == 302
    duplicate = post(admin, "/admin/departments", county="629901000000", name="县医保局")
    assert duplicate.status_code == 422 and "同名部门" in duplicate.text
    department = db.session.scalar(select(Department))
    assert post(admin, f"/admin/departments/{department.id}/active", active="0").status_code == 302
    db.session.expire_all()
    assert not db.session.get(Department, department.id).is_active
    assert post(admin, "/admin/reply-templates", category="funds", title="资金类", body="已收到").status_code == 302
    template = db.session.scalar(select(ReplyTemplate))
    assert (
        post(admin, f"/admin/reply-templates/{template.id}", category="", title="通用", body="您好").status_code == 302
    )
    db.session.expire_all()
    assert db.session.get(ReplyTemplate, template.id).category == ""
    assert post(admin, f"/admin/reply-templates/{template.id}/delete").status_code == 302
    assert db.session.scalar(select(func.count()).select_from(ReplyTemplate)) == 0
    assert as_user("handler").get("/admin/departments").status_code == 403


def test_inspectors_work_their_rounds_reports(app, people, make_user):
    from datetime import date

    from complaints.models import InspectionRound

    inspector = make_user("xuncha", "inspector")
    people["inspector"] = inspector
    round_ = InspectionRound(
        name="第一轮",
        team_name="县委第一巡察组",
        county_code="629901000000",
        starts_on=date(2026, 1, 1),
        ends_on=date(2099, 12, 31),
        members=[inspector],
    )
    db.session.add(round_)
    db.session.commit()
    case = new_case(round_id=round_.id)
    client = app.test_client()
    page = client.get("/staff/login")
    client.post(
        "/staff/login", data={"username": "xuncha", "password": "pw-for-tests-1", "csrf_token": csrf_from(page.text)}
    )
    client.token = csrf_from(client.get("/admin/").text)
    assert case.code in client.get("/admin/cases").text
    assert post(client, f"/admin/cases/{case.id}/reply", kind="first_reply", reply="巡察组已收到").status_code == 302
    assert db.session.scalar(select(User.id).where(User.id == fresh(case).assignee_id)) == inspector.id
