"""Case handling: every transition and refusal, scope and conflicts, identity requests."""

from datetime import date, datetime, timedelta, timezone

from factories import new_case
import pytest
import time_machine
from sqlalchemy import event, select

from admin.cases import actions, identity, referrals
from admin.cases import queries
from admin.cases.queries import QueueFilters, queue, queue_count
from admin.models import Decision, Department
from core.audit import AuditEntry
from core.extensions import db
from core.settings import CountySettings
from core.timezone import SHANGHAI, local_date, shanghai
from complaints.models import ClockKind, Complaint, InspectionRound, Status
from complaints.permissions import can_see_case, visible_cases
from support import ON_POSTGRES

TODAY = date(2026, 11, 25)


@pytest.fixture
def people(make_people):
    return make_people("lead", "handler", "other_township", "accountant", "reviewer", "admin")


def test_scope_matrix(people):
    case = new_case()
    today = TODAY
    expected = {
        "lead": True,
        "handler": True,
        "other_township": False,
        "accountant": False,
        "reviewer": False,
        "admin": True,
    }
    for name, visible in expected.items():
        user = people[name]
        assert can_see_case(user, case, today) is visible, name
        in_queue = db.session.scalar(select(Complaint.id).where(visible_cases(user, today)))
        assert (in_queue == case.id) is visible, name


def test_first_reply_meets_clock_and_starts_legal_limit(people):
    case = new_case()
    actions.reply(case, "first_reply", "已收到，正在核实", by=people["handler"])
    assert case.status == Status.IN_PROGRESS and case.assignee_id == people["handler"].id
    assert case.clock(ClockKind.REPLY).met_at is not None
    assert case.clock(ClockKind.PROGRESS).met_at is None
    legal = case.clock(ClockKind.LEGAL)
    assert legal.unit == "calendar" and legal.amount == 60
    public = [e for e in case.events if e.is_public]
    assert public[-1].actor_label == "乡镇纪委" and "handler" not in public[-1].actor_label


def test_request_info_meets_reply_clock_and_waits(people):
    case = new_case()
    actions.reply(case, "request_info", "请补充发票照片", by=people["handler"])
    assert case.status == Status.AWAITING_INFO and case.clock(ClockKind.REPLY).met_at
    referrals.material_received(case, by=people["handler"])
    assert case.status == Status.IN_PROGRESS
    with pytest.raises(actions.CaseError):
        referrals.material_received(case, by=people["handler"])


def test_pausing_only_where_enabled_and_remaining_days_restart(people):
    db.session.add(CountySettings(county_code="629901000000", clock_pausing_enabled=True))
    db.session.commit()
    case = new_case(received_at=datetime(2026, 11, 2, 2, tzinfo=timezone.utc))  # Mon 10:00 Shanghai
    from complaints.clocks import pause_working_clocks, resume_working_clocks

    progress = case.clock(ClockKind.PROGRESS)
    assert progress.due_at.astimezone(timezone(timedelta(hours=8))).date() == date(2026, 11, 16)
    # Wed 10:00: the rest of Wednesday and 8 more days are left, 9 whole days rounded up.
    pause_working_clocks(case, datetime(2026, 11, 4, 2, tzinfo=timezone.utc))
    assert case.next_due_at is None
    resume_working_clocks(case, datetime(2026, 11, 9, 2, tzinfo=timezone.utc))  # Mon
    assert progress.amount == 9
    assert progress.due_at.astimezone(timezone(timedelta(hours=8))).date() == date(2026, 11, 20)


@pytest.fixture
def pausing(people):
    db.session.add(CountySettings(county_code="629901000000", clock_pausing_enabled=True))
    db.session.commit()


def test_a_pause_keeps_the_day_it_stopped_on(people, pausing):
    with time_machine.travel(shanghai(2026, 6, 8, 10), tick=False):  # Mon
        case = new_case()
    progress = case.clock(ClockKind.PROGRESS)
    assert local_date(progress.due_at) == date(2026, 6, 23)  # Fri 06-19 is the Dragon Boat holiday
    with time_machine.travel(shanghai(2026, 6, 9, 0, 0), tick=False):  # Tue, before any of it was used
        actions.reply(case, "request_info", "请补充发票照片", by=people["handler"])
        assert progress.paused_at is not None
        referrals.material_received(case, by=people["handler"])
    # Tue 06-09 through Tue 06-23 are 10 working days; they restart after Tue, which is not counted.
    assert progress.amount == 10 and local_date(progress.due_at) == date(2026, 6, 24)
    assert case.next_due_at == progress.due_at


def test_a_pause_on_a_rest_day_keeps_only_working_days(people, pausing):
    with time_machine.travel(shanghai(2026, 6, 8, 10), tick=False):
        case = new_case()
    progress = case.clock(ClockKind.PROGRESS)
    with time_machine.travel(shanghai(2026, 6, 13, 10), tick=False):  # Sat
        actions.reply(case, "request_info", "请补充发票照片", by=people["handler"])
    with time_machine.travel(shanghai(2026, 6, 15, 10), tick=False):  # Mon
        referrals.material_received(case, by=people["handler"])
    assert progress.amount == 6 and local_date(progress.due_at) == date(2026, 6, 24)


def test_an_overdue_clock_is_not_paused(people, pausing):
    with time_machine.travel(shanghai(2026, 6, 1, 10), tick=False):
        case = new_case()
    progress = case.clock(ClockKind.PROGRESS)
    due = progress.due_at
    assert local_date(due) == date(2026, 6, 15)
    with time_machine.travel(shanghai(2026, 6, 16, 10), tick=False):
        actions.reply(case, "request_info", "请补充发票照片", by=people["handler"])
    assert progress.paused_at is None and case.next_due_at == due  # still first in the queue, overdue
    with time_machine.travel(shanghai(2026, 6, 18, 10), tick=False):
        referrals.material_received(case, by=people["handler"])
    assert progress.due_at == due


def test_close_needs_result_and_classification(people):
    case = new_case(real_name=True)
    with pytest.raises(actions.CaseError, match="定性"):
        actions.close(case, "已核实", "随便", by=people["handler"])
    with pytest.raises(actions.CaseError, match="办理结果"):
        actions.close(case, " ", "属实", by=people["handler"])
    actions.close(case, "经核实，款项已追回", "属实", by=people["handler"])
    assert case.status == Status.CLOSED and case.clock(ClockKind.PROGRESS).met_at
    assert case.clock(ClockKind.FEEDBACK) is not None  # real name: result fed back within 15 working days
    with pytest.raises(actions.CaseError, match="已办结"):
        actions.reply(case, "progress", "还在查", by=people["handler"])
    actions.record_feedback(case, "已电话告知反映人", by=people["handler"])
    assert case.clock(ClockKind.FEEDBACK).met_at is not None
    actions.reopen(case, "发现新线索", by=people["handler"])
    assert case.status == Status.REOPENED


def test_merge_and_no_reply_on_merged_case(people):
    first, duplicate = new_case(), new_case()
    actions.merge(duplicate, first, by=people["handler"])
    assert duplicate.status == Status.MERGED and duplicate.merged_into_id == first.id
    assert duplicate.next_due_at is None
    with pytest.raises(actions.CaseError):
        actions.reply(duplicate, "first_reply", "x", by=people["handler"])
    with pytest.raises(actions.CaseError):
        actions.merge(first, first, by=people["handler"])


def test_merging_cases_of_different_villages_takes_a_reason(people):
    first, elsewhere = new_case(), new_case(village="629901101202")
    with pytest.raises(actions.CaseError, match="请写明合并的理由"):
        actions.merge(elsewhere, first, by=people["handler"], reason="  ")
    assert elsewhere.status != Status.MERGED and elsewhere.merged_into_id is None
    actions.merge(elsewhere, first, by=people["handler"], reason="同一条村道，两村交界处")
    assert elsewhere.merged_into_id == first.id
    notes = {(event.kind, event.is_public, event.body) for event in elsewhere.events + first.events}
    assert ("merge_reason", False, f"合并到案件 {first.code}。理由：同一条村道，两村交界处") in notes
    assert ("merged_in", False, f"合并了案件 {elsewhere.code}。理由：同一条村道，两村交界处") in notes
    audit = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "case.merge"))
    assert "两村交界处" in audit.detail


def test_supervised_and_out_of_scope_users_cannot_act(people):
    case = new_case()
    for name in ("accountant", "reviewer", "other_township", "admin"):
        with pytest.raises(actions.CaseError):
            actions.reply(case, "first_reply", "x", by=people[name])


def test_assign_only_to_someone_who_may_work_the_case(people):
    case = new_case()
    actions.assign(case, people["lead"], by=people["handler"])
    assert case.assignee_id == people["lead"].id
    with pytest.raises(actions.CaseError):
        actions.assign(case, people["other_township"], by=people["handler"])
    people["handler"].is_enabled = False  # a disabled account gets no case, even by a crafted request
    db.session.commit()
    with pytest.raises(actions.CaseError, match="有权办理"):
        actions.assign(case, people["handler"], by=people["lead"])
    assert case.assignee_id == people["lead"].id


def test_conflict_keeps_user_off_the_case(people):
    case = new_case()
    actions.assign(case, people["handler"], by=people["handler"])
    actions.declare_conflict(case, "反映对象是我的亲属", by=people["handler"])
    assert not can_see_case(people["handler"], case, TODAY) and case.assignee_id is None
    assert db.session.scalar(select(Complaint.id).where(visible_cases(people["handler"], TODAY))) is None


def test_identity_request_approval_reveal_each_audited(people):
    case = new_case(real_name=True)
    with pytest.raises(actions.CaseError, match="批准"):
        identity.reveal_identity(case, by=people["handler"])
    request = identity.request_identity(case, "需电话联系核实细节", by=people["handler"])
    with pytest.raises(actions.CaseError, match="自己"):
        identity.decide_identity(request, True, "", by=people["handler"])
    identity.decide_identity(request, True, "同意", by=people["lead"])
    revealed = identity.reveal_identity(case, by=people["handler"])
    assert (revealed.name, revealed.phone) == ("段凤", "13800138000")
    with pytest.raises(actions.CaseError):
        identity.reveal_identity(case, by=people["lead"])  # approval is per requester
    actions_logged = db.session.scalars(select(AuditEntry.action).where(AuditEntry.target_id == str(case.id))).all()
    assert {"case.identity_request", "case.identity_decide", "case.identity_reveal"} <= set(actions_logged)
    assert all("段凤" not in entry.detail for entry in db.session.scalars(select(AuditEntry)))


def test_denied_identity_stays_hidden(people):
    case = new_case(real_name=True)
    request = identity.request_identity(case, "想知道是谁", by=people["handler"])
    identity.decide_identity(request, False, "理由不充分", by=people["lead"])
    assert request.status == Decision.DENIED
    with pytest.raises(actions.CaseError):
        identity.reveal_identity(case, by=people["handler"])


def test_lead_cannot_approve_own_request(people):
    case = new_case(real_name=True)
    request = identity.request_identity(case, "核实", by=people["lead"])
    with pytest.raises(actions.CaseError, match="自己"):
        identity.decide_identity(request, True, "", by=people["lead"])


def test_referral_summary_carries_no_identity_and_has_its_clock(people):
    case = new_case(real_name=True)
    department = Department(county_code="629901000000", name="县农业农村局")
    db.session.add(department)
    db.session.commit()
    with pytest.raises(actions.CaseError, match="姓名或电话"):
        referrals.refer(case, department, "段凤反映修路款问题", by=people["handler"])
    referral = referrals.refer(case, department, "反映修路款去向问题，请核查", by=people["handler"])
    assert referral.working_days == 15 and referral.due_at > referral.sent_at
    referrals.record_referral_answer(referral, "已核查，款项用于村道维修", by=people["handler"])
    assert referral.answered_at is not None
    with pytest.raises(actions.CaseError):
        referrals.record_referral_answer(referral, "again", by=people["handler"])


@pytest.mark.parametrize(
    "accepted, due, extended",
    [
        # 60 days end Fri 07-31; 90 days end Sun 08-30, which rolls once to Mon 08-31.
        (datetime(2026, 6, 1, 10), date(2026, 7, 31), date(2026, 8, 31)),
        # 60 days end Sun 2026-02-01 → Mon 02-02; 90 days end Tue 03-03: the extension counts from
        # acceptance, not from the rolled deadline, so it adds fewer than 30 days here.
        (datetime(2025, 12, 3, 10), date(2026, 2, 2), date(2026, 3, 3)),
    ],
)
def test_legal_extension_once_with_lead_approval(people, accepted, due, extended):
    with time_machine.travel(accepted.replace(tzinfo=SHANGHAI), tick=False):
        case = new_case()
        with pytest.raises(actions.CaseError, match="受理"):
            referrals.request_extension(case, 30, "情况复杂", by=people["handler"])
        actions.reply(case, "first_reply", "已受理", by=people["handler"])
        legal = case.clock(ClockKind.LEGAL)
        assert local_date(legal.due_at) == due
        with pytest.raises(actions.CaseError, match="1至30"):
            referrals.request_extension(case, 31, "情况复杂", by=people["handler"])
        extension = referrals.request_extension(case, 30, "涉及多个部门", by=people["handler"])
        with pytest.raises(actions.CaseError, match="一次"):
            referrals.request_extension(case, 10, "再延", by=people["handler"])
        with pytest.raises(actions.CaseError, match="自己"):
            referrals.decide_extension(extension, True, by=people["handler"])
        referrals.decide_extension(extension, True, by=people["lead"])
    assert local_date(legal.due_at) == extended
    assert any(e.is_public and "涉及多个部门" in e.body for e in case.events)


def test_queue_order_and_filters(people):
    now = datetime(2026, 11, 25, 4, tzinfo=timezone.utc)
    old = new_case(received_at=now - timedelta(days=20))  # overdue
    fresh = new_case(received_at=now - timedelta(hours=1))  # running
    reopened = new_case(received_at=now - timedelta(hours=2))
    reopened.status = Status.REOPENED
    done = new_case(received_at=now - timedelta(days=3))
    actions.close(done, "已解决", "已解决", by=people["handler"])
    db.session.commit()
    order = db.session.scalars(queue(people["handler"], QueueFilters(), now)).all()
    assert [c.id for c in order] == [reopened.id, old.id, fresh.id, done.id]
    overdue = db.session.scalars(queue(people["handler"], QueueFilters(clock="overdue"), now)).all()
    assert [c.id for c in overdue] == [old.id]
    mine = db.session.scalars(queue(people["handler"], QueueFilters(assignee="me"), now)).all()
    assert [c.id for c in mine] == [done.id]
    found = db.session.scalars(queue(people["handler"], QueueFilters(text="修路%"), now)).all()
    assert found == []  # % is literal


def test_inspection_round_reports_belong_to_the_team_until_it_ends(people, make_user):
    inspector = make_user("xuncha", "inspector")
    round_ = InspectionRound(
        name="第一轮",
        team_name="县委第一巡察组",
        county_code="629901000000",
        starts_on=date(2026, 11, 1),
        ends_on=date(2026, 12, 31),
    )
    round_.members.append(inspector)
    db.session.add(round_)
    db.session.commit()
    case = new_case(round_id=round_.id)
    assert can_see_case(inspector, case, TODAY) and not can_see_case(people["handler"], case, TODAY)
    after = date(2027, 1, 5)
    assert not can_see_case(inspector, case, after) and can_see_case(people["handler"], case, after)
    late = new_case(round_id=round_.id, late_for_round=True)
    assert can_see_case(people["handler"], late, TODAY) and not can_see_case(inspector, late, TODAY)


def test_queue_rank_follows_status(people):
    case = new_case()
    assert case.queue_rank == 1
    actions.close(case, "已解决", "已解决", by=people["handler"])
    case.status = Status.REOPENED
    db.session.commit()
    assert db.session.scalar(select(Complaint.queue_rank).where(Complaint.id == case.id)) == 0
    actions.close(case, "再次核实后办结", "属实", by=people["handler"])
    assert db.session.scalar(select(Complaint.queue_rank).where(Complaint.id == case.id)) == 1


@pytest.fixture
def worded_cases(people):
    """Three cases in one township, numbered -0001 to -0003 in this order."""
    return [new_case(text=text) for text in ("我家低保从八月起就停了", "村道维修款去向不明", "保低保，名单不对")]


@pytest.mark.parametrize("listed", [1000, 1])  # 1: more matches than listed, searched by LIKE alone
@pytest.mark.parametrize(
    "term, expected",
    [
        ("停", [0]),
        ("低保", [0, 2]),
        ("维修款去向", [1]),
        ("-0002", [1]),
        ("0003", [2]),
        ("低保维修", []),  # each character is there, but not together
        ("低保低", []),  # every bigram is in case 3 ("保低", "低保"), not in this order
        ("维修款%", []),  # wildcards are literal
    ],
)
def test_queue_text_search(people, worded_cases, term, expected, listed, monkeypatch):
    monkeypatch.setattr(queries, "TEXT_MATCHES_LISTED", listed)
    found = db.session.scalars(queue(people["lead"], QueueFilters(text=f" {term} "), datetime.now(timezone.utc)))
    assert sorted(case.id for case in found) == [worded_cases[i].id for i in expected]


def test_a_text_search_counts_up_to_a_limit(people, worded_cases, monkeypatch):
    now, filters = datetime.now(timezone.utc), QueueFilters(text="低保")
    assert queue_count(queue(people["lead"], filters, now), filters) == (2, False)
    monkeypatch.setattr(queries, "TEXT_MATCHES_LISTED", 1)
    assert queue_count(queue(people["lead"], filters, now), filters) == (1, True)
    everything = QueueFilters()
    assert queue_count(queue(people["lead"], everything, now), everything) == (3, False)  # other filters: exact


def test_queue_page_says_when_a_text_search_has_more(client, login, people, worded_cases, monkeypatch):
    login("lead")
    assert "共 2 件" in client.get("/admin/cases?q=低保").text
    monkeypatch.setattr(queries, "TEXT_MATCHES_LISTED", 1)
    page = client.get("/admin/cases?q=低保").text
    assert "超过 1 件" in page and page.count('href="/admin/cases/') >= 1


def test_queue_text_search_uses_the_grams_only_on_postgresql(people):
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        queue(people["lead"], QueueFilters(text="低保"), datetime.now(timezone.utc))
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    asked = [sql for sql in statements if "LIKE" in sql]
    on_postgres = db.session.get_bind().dialect.name == "postgresql"
    assert len(asked) == on_postgres  # SQLite asks nothing first: LIKE goes into the queue's statement
    assert all("complaint_grams(complaints.code, complaints.text) @>" in sql for sql in asked)


@pytest.mark.skipif(not ON_POSTGRES, reason="the GIN index exists on PostgreSQL only")
def test_text_search_can_use_the_gin_index(people, worded_cases):
    # Three cases would be read directly: rule out the plans that suit so few.
    statement = queries.text_matches("低保", [])
    connection = db.session.connection()
    for plan_kind in ("seqscan", "indexscan"):
        connection.exec_driver_sql(f"SET LOCAL enable_{plan_kind} = off")
    compiled = statement.compile(dialect=connection.dialect)
    plan = "\n".join(row[0] for row in connection.exec_driver_sql(f"EXPLAIN {compiled}", compiled.params))
    assert "Bitmap Index Scan on ix_complaints_grams" in plan, plan
