from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from core.extensions import db
from core.regions.models import Region
from core.timezone import end_of_day, shanghai
from support import statutory_rest_rows
from complaints.codes import format_secret
from complaints.models import Category, Channel, ClockKind, Complaint, ComplaintIdentity, Status
from complaints.services import ComplaintError, Identity, file_complaint, open_case, rate_case
from complaints.tracking import begin_tracking


def village(code="629901101201") -> Region:
    return db.session.get(Region, code)


def file(**kw):
    args = {
        "village": village(),
        "category": Category.FUNDS,
        "text": "村道维修款去向不明",
        "channel": Channel.WEB,
        "identity": None,
    }
    return file_complaint(**(args | kw))


def test_case_number_and_secret(township_tree):
    filed = file(received_at=shanghai(2026, 9, 30, 10))
    second = file(received_at=shanghai(2026, 9, 30, 11))
    assert filed.code == "2026-629901101-0001" and second.code == "2026-629901101-0002"
    assert len(filed.secret) == 16 and filed.secret.isdigit()
    assert format_secret("1234567812345678") == "1234 5678 1234 5678"
    case = open_case(filed.code, format_secret(filed.secret))
    assert case is not None and filed.secret not in case.secret_hash
    assert open_case(filed.code, second.secret) is None
    assert open_case(second.code, second.secret).id != case.id


def test_clocks_from_deadlines_md(township_tree):
    filed = file(received_at=shanghai(2026, 9, 30, 10))
    case = db.session.scalar(select(Complaint).where(Complaint.code == filed.code))
    assert case.clock(ClockKind.REPLY).due_at == end_of_day(datetime(2026, 10, 10).date())
    assert case.clock(ClockKind.PROGRESS).due_at == end_of_day(datetime(2026, 10, 20).date())
    assert case.next_due_at == case.clock(ClockKind.REPLY).due_at


def test_identity_is_encrypted_apart(township_tree):
    filed = file(identity=Identity("段凤", "13800138000"))
    case = db.session.scalar(select(Complaint).where(Complaint.code == filed.code))
    identity = db.session.scalar(select(ComplaintIdentity))
    assert case.is_real_name and identity.complaint_id == case.id
    assert "段凤" not in identity.name_cipher and "13800138000" not in identity.phone_cipher


def test_idempotency_key_makes_one_complaint(township_tree):
    first = file(idempotency_key="k" * 32)
    again = file(idempotency_key="k" * 32)
    assert again.code == first.code and again.secret == ""
    assert db.session.scalar(select(func.count()).select_from(Complaint)) == 1
    assert file(idempotency_key="other").code.endswith("0002")


def test_paper_secret_is_replaced_at_first_use(township_tree, make_user):
    clerk = make_user("clerk", "handler", ["629901000000"])
    filed = file(channel=Channel.PHONE_12388, registered_by=clerk)
    case = open_case(filed.code, filed.secret)
    fresh = begin_tracking(case, timedelta(hours=1)).fresh_secret
    assert fresh and open_case(filed.code, filed.secret) is None
    assert open_case(filed.code, fresh) is not None
    assert begin_tracking(open_case(filed.code, fresh), timedelta(hours=1)).fresh_secret is None


def test_rating_unsatisfied_reopens(township_tree):
    filed = file()
    case = open_case(filed.code, filed.secret)
    with pytest.raises(ComplaintError, match="办结后"):
        rate_case(case, "satisfied")
    case.status = Status.CLOSED
    db.session.commit()
    rate_case(case, "unsatisfied", "没有人来核实")
    assert case.status == Status.REOPENED and case.rating == "unsatisfied"
    assert [e.kind for e in case.events][-2:] == ["rated", "reopened"]
    with pytest.raises(ComplaintError, match="评价过"):
        rate_case(case, "satisfied")


def test_only_a_village_can_be_complained_about(township_tree):
    with pytest.raises(ComplaintError):
        file(village=db.session.get(Region, "629901101000"))


def test_calendar_load_recomputes_unmet_clocks_only(township_tree):
    from core.calendar.services import load_calendar_file

    open_filed = file(received_at=datetime(2031, 9, 30, 2, tzinfo=timezone.utc))
    met_filed = file(received_at=datetime(2031, 9, 30, 3, tzinfo=timezone.utc))
    met_case = db.session.scalar(select(Complaint).where(Complaint.code == met_filed.code))
    met_case.clock(ClockKind.REPLY).met_at = datetime(2031, 10, 1, tzinfo=timezone.utc)
    db.session.commit()
    case = db.session.scalar(select(Complaint).where(Complaint.code == open_filed.code))
    assert case.clock(ClockKind.REPLY).provisional
    before = case.clock(ClockKind.REPLY).due_at
    load_calendar_file("\n".join(("日期,类型",) + statutory_rest_rows(2031)).encode())
    db.session.expire_all()
    case = db.session.get(Complaint, case.id)
    assert case.clock(ClockKind.REPLY).due_at > before and not case.clock(ClockKind.REPLY).provisional
    met_case = db.session.get(Complaint, met_case.id)
    assert met_case.clock(ClockKind.REPLY).due_at == before
