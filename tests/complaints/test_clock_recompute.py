"""A calendar load moves the stored deadlines of clocks not yet met: the rows its years can move
are chosen in SQL and written back in a few statements, however many cases move."""

from datetime import date, timedelta

from sqlalchemy import event, select

from complaints.models import Category, Channel, ClockKind, Complaint, Status
from complaints.services import file_complaint
from core.calendar.services import load_calendar_file
from core.extensions import db
from core.regions.models import Region
from core.timezone import local_date, shanghai
from support import statutory_rest_rows


def case_received(at) -> Complaint:
    filed = file_complaint(
        village=db.session.get(Region, "629901101201"),
        category=Category.FUNDS,
        text="村道维修款去向不明",
        channel=Channel.WEB,
        identity=None,
        received_at=at,
    )
    return db.session.scalar(select(Complaint).where(Complaint.code == filed.code))


def whole_year(year: int, *rows: str) -> bytes:
    return "\n".join(("日期,类型",) + statutory_rest_rows(year) + rows).encode()


def reloaded(case: Complaint) -> Complaint:
    db.session.expire_all()
    return db.session.get(Complaint, case.id)


def test_a_load_moves_a_clock_that_crosses_into_the_year(township_tree):
    crossing = case_received(shanghai(2030, 12, 27, 10))  # Fri; 2030 is not loaded either
    reply = crossing.clock(ClockKind.REPLY)
    assert local_date(reply.due_at) == date(2031, 1, 1) and reply.provisional  # Mon–Fri: Dec 30, 31, Jan 1
    untouched = case_received(shanghai(2026, 6, 8, 10))
    stale = untouched.clock(ClockKind.REPLY).due_at + timedelta(days=1)
    untouched.clock(ClockKind.REPLY).due_at = stale  # a row 2031 cannot move is not even read
    db.session.commit()
    load_calendar_file(whole_year(2031))
    crossing = reloaded(crossing)
    reply = crossing.clock(ClockKind.REPLY)
    # New Year's Day 2031 is a rest day now; 2030 still counts Monday to Friday.
    assert local_date(reply.due_at) == date(2031, 1, 2) and reply.provisional
    assert crossing.next_due_at == reply.due_at
    assert reloaded(untouched).clock(ClockKind.REPLY).due_at == stale


def test_a_merged_case_stays_out_of_the_queue_after_a_load(township_tree, make_user):
    from admin.cases import actions

    handler = make_user("handler", "handler", ["629901101000"])
    first, duplicate = case_received(shanghai(2031, 9, 30, 10)), case_received(shanghai(2031, 9, 30, 11))
    actions.merge(duplicate, first, by=handler)
    load_calendar_file(whole_year(2031))
    first, duplicate = reloaded(first), reloaded(duplicate)
    assert duplicate.status == Status.MERGED and duplicate.next_due_at is None
    assert not duplicate.clock(ClockKind.REPLY).provisional  # its clocks are still kept right
    assert local_date(first.next_due_at) == date(2031, 10, 8) == local_date(first.clock(ClockKind.REPLY).due_at)


def _statements_of_a_load(year: int, cases: int) -> int:
    moving = [case_received(shanghai(year, 9, 30, 10)) for _ in range(cases)]
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        load_calendar_file(whole_year(year))
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    for case in moving:
        assert not reloaded(case).clock(ClockKind.REPLY).provisional
    return len(statements)


def test_a_load_issues_as_many_statements_for_forty_cases_as_for_two(township_tree):
    assert _statements_of_a_load(2031, 2) == _statements_of_a_load(2032, 40)
