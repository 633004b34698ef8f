"""A 复查 request starts the 30-day clock for the review's answer (docs/clocks.md): shown on the
public tracking page and the staff case page, swept like every clock, met by the next closing."""

from datetime import date

import pytest
import time_machine
from sqlalchemy import select
from factories import file_case
from support import csrf_from, open_tracking

from admin.cases import actions
from admin.models import Reminder
from complaints.models import CaseClock, ClockKind, Complaint, Status
from core.extensions import db
from core.timezone import end_of_day, shanghai
from core.users.models import User

CLOSED_AT = shanghai(2026, 10, 12, 9)
REQUESTED_AT = shanghai(2026, 10, 13, 10)  # Tue: 30 calendar days end Thu 2026-11-12


@pytest.fixture
def people(make_people):
    people = make_people("handler", "township_lead")
    return {"handler": people["handler"], "lead": people["township_lead"]}


@pytest.fixture
def under_review(client, people):
    """A case closed, rated 不满意 and put to 复查 by its complainant through the tracking page."""
    with time_machine.travel(CLOSED_AT, tick=False):
        filed, case = file_case(received_at=shanghai(2026, 10, 9, 9))
        actions.assign(case, people["handler"], by=people["handler"])
        actions.close(case, "经核查，款项已按规定使用", "不属实", by=people["handler"])
    with time_machine.travel(REQUESTED_AT, tick=False):
        open_tracking(client, filed)
        for url, data in (("/track/case/rate", {"rating": "unsatisfied"}), ("/track/case/review", {})):
            token = csrf_from(client.get("/track/case").text)
            assert client.post(url, data={"csrf_token": token} | data).status_code == 302
    db.session.expire_all()
    return db.session.get(Complaint, case.id)


def review_clock(case_id: int) -> CaseClock | None:
    return db.session.scalar(
        select(CaseClock).where(CaseClock.complaint_id == case_id, CaseClock.kind == ClockKind.REVIEW)
    )


def test_a_review_request_starts_a_thirty_day_clock(under_review):
    clock = review_clock(under_review.id)
    assert clock is not None and clock.starts_at == REQUESTED_AT and clock.unit == "calendar"
    assert clock.due_at == end_of_day(date(2026, 11, 12)) and clock.met_at is None
    assert under_review.next_due_at == clock.due_at
    assert under_review.status == Status.REOPENED  # back in front of its handler, first in the queue


def test_the_review_clock_shows_on_the_tracking_page_and_the_staff_page(client, login, under_review):
    with time_machine.travel(REQUESTED_AT, tick=False):  # the complainant's view is still open
        public = client.get("/track/case").text
        login("handler")
        staff = client.get(f"/admin/cases/{under_review.id}").text
    assert "复查答复" in public and "2026年11月12日前" in public
    assert "复查答复" in staff and "2026-11-12 23:59" in staff


def _reminders(case_id: int) -> set[tuple[str, str]]:
    rows = db.session.execute(
        select(User.username, Reminder.level)
        .join(User, User.id == Reminder.user_id)
        .join(CaseClock, CaseClock.id == Reminder.clock_id)
        .where(CaseClock.kind == ClockKind.REVIEW, Reminder.complaint_id == case_id)
    )
    return set(rows)


def test_the_sweep_announces_the_review_clock(cli, under_review):
    for now in ("2026-11-11T09:00", "2026-11-13T09:00"):
        result = cli.invoke(args=["deadlines", "sweep", "--now", now])
        assert result.exit_code == 0, result.output
    assert _reminders(under_review.id) == {
        ("handler", "due_soon"),
        ("handler", "overdue"),
        ("zhenlead", "escalated_township"),
    }


def test_closing_again_answers_the_review(people, under_review):
    with time_machine.travel(shanghai(2026, 11, 2, 9), tick=False):
        actions.close(under_review, "复查后维持原结论", "不属实", by=people["handler"])
    clock = review_clock(under_review.id)
    assert clock.met_at == shanghai(2026, 11, 2, 9)
    assert under_review.status == Status.CLOSED and under_review.next_due_at is None
