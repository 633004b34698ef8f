from datetime import date

from rule_rows import payment, person

from admin.todo import disclosures_outstanding
from core.extensions import db
from core.regions.models import Region
from disclosures.due import SCHEDULED, disclosure_calendar, due_date, public_overdue, recent_months
from disclosures.models import Batch, BatchStatus, Kind, SubsidyItem
from disclosures.parsed import ParsedBatch, ParsedUpload
from disclosures.services import stage_upload


def ledger_calendar(villages, today):
    return [due for due in disclosure_calendar(villages, today) if due.kind is Kind.LEDGER]


def test_due_dates_and_months():
    assert due_date("2026-10") == date(2026, 11, 10)
    assert due_date("2026-12") == date(2027, 1, 10)
    assert recent_months(date(2026, 1, 5), 2) == ["2025-12", "2025-11"]


def test_calendar_states(township_tree):
    village = db.session.get(Region, "629901101201")
    for period, status in (("2026-08", "published"), ("2026-09", "returned"), ("2026-10", "pending")):
        db.session.add(Batch(village_code=village.code, kind="ledger", period=period, status=status))
    db.session.commit()
    states = {e.month: e.state for e in ledger_calendar([village], date(2026, 11, 5))}
    assert states["2026-08"] == "published" and states["2026-10"] == "pending"
    assert states["2026-09"] == "late"  # returned and not yet resubmitted, past 10 Oct
    assert "2026-07" not in states  # before the village's first ledger on the portal
    fresh = db.session.get(Region, "629901101202")
    assert [(e.month, e.state) for e in ledger_calendar([fresh], date(2026, 11, 5))] == [("2026-10", "due")]
    assert [(e.month, e.state) for e in ledger_calendar([fresh], date(2026, 11, 11))] == [("2026-10", "late")]


# Subsidy rosters: every item a village pays is due every month from its first roster.

LATE_NOVEMBER = date(2026, 11, 25)
V1, V2 = "629901101201", "629901101202"


def roster(village: str, *payments: dict, publish: bool = True, period: str | None = None) -> Batch:
    """One subsidy batch of the payments (an empty one with `period` declares a month unpaid)."""
    rows = [{"row_number": n, "village_code": village, **p} for n, p in enumerate(payments, start=2)]
    upload = ParsedUpload(Kind.SUBSIDIES, "t.csv", [ParsedBatch(village, Kind.SUBSIDIES, period, rows)])
    [batch] = stage_upload(upload, uploader=None, publish=publish)
    return batch


def subsidy_states(villages: list[str], today=LATE_NOVEMBER, **options) -> dict:
    regions = [db.session.get(Region, code) for code in villages]
    return {
        (e.village.code, e.item, e.month): e.state
        for e in disclosure_calendar(regions, today, **options)
        if e.kind is Kind.SUBSIDIES
    }


def test_each_item_a_village_pays_is_due_every_month_from_its_first_roster(township_tree):
    roster(V1, payment(person(1), "最低生活保障金", "2026-08"))
    roster(V1, payment(person(1), "最低生活保障金", "2026-09"), publish=False)  # waiting for review
    roster(V1, payment(person(2), "特困人员供养金", "2026-10"))
    roster(V1, payment(person(3), "耕地地力保护补贴", "2026-08"))  # paid once a year: no calendar
    assert subsidy_states([V1, V2]) == {
        (V1, "最低生活保障金", "2026-08"): "published",
        (V1, "最低生活保障金", "2026-09"): "pending",
        (V1, "最低生活保障金", "2026-10"): "late",  # due by 10 November
        (V1, "特困人员供养金", "2026-10"): "published",
    }  # no item before its first roster, none the village never paid, nothing for 上东村
    assert subsidy_states([V1], date(2026, 11, 10))[(V1, "最低生活保障金", "2026-10")] == "due"  # the last day


def test_a_returned_roster_does_not_disclose_its_month(township_tree):
    roster(V1, payment(person(1), "最低生活保障金", "2026-09"))
    returned = roster(V1, payment(person(1), "最低生活保障金", "2026-10"), publish=False)
    returned.status = BatchStatus.RETURNED
    db.session.commit()
    assert subsidy_states([V1])[(V1, "最低生活保障金", "2026-10")] == "late"


def test_a_month_declared_unpaid_is_disclosed_for_every_item_not_on_its_rosters(township_tree):
    roster(V1, payment(person(1), "最低生活保障金", "2026-08"), payment(person(2), "特困人员供养金", "2026-08"))
    roster(V1, payment(person(1), "最低生活保障金", "2026-09"))
    roster(V1, period="2026-09")  # 本月其余项目未发放: no 特困人员供养金 in September
    roster(V1, period="2026-10", publish=False)  # declared for October, not reviewed yet
    states = subsidy_states([V1])
    assert states[(V1, "特困人员供养金", "2026-09")] == "published"
    assert states[(V1, "特困人员供养金", "2026-10")] == states[(V1, "最低生活保障金", "2026-10")] == "pending"
    public = public_overdue(db.session.get(Region, V1), LATE_NOVEMBER)
    # The public side counts published batches only: October is late there until it is published.
    assert [(e.item, e.month) for e in public if e.kind is Kind.SUBSIDIES] == [
        ("最低生活保障金", "2026-10"),
        ("特困人员供养金", "2026-10"),
    ]


def test_the_public_calendar_and_the_staff_calendar_agree_on_published_data(township_tree):
    roster(V1, payment(person(1), "最低生活保障金", "2026-06"))
    roster(V1, payment(person(1), "最低生活保障金", "2026-08"))
    village = db.session.get(Region, V1)
    staff = [(e.kind, e.item, e.month) for e in disclosure_calendar([village], LATE_NOVEMBER) if e.state == "late"]
    public = [(e.kind, e.item, e.month) for e in public_overdue(village, LATE_NOVEMBER)]
    assert staff == public
    assert (Kind.SUBSIDIES, "最低生活保障金", "2026-07") in public
    assert (Kind.SUBSIDIES, "最低生活保障金", "2026-08") not in public  # published: not due


def test_a_scoped_accountant_is_shown_only_their_own_villages(township_tree, make_user):
    roster(V1, payment(person(1), "最低生活保障金", "2026-09"))
    roster(V2, payment(person(2), "特困人员供养金", "2026-09"))
    accountant = make_user("kuaiji", "accountant", [V1])
    owed = disclosures_outstanding(accountant, LATE_NOVEMBER)
    assert {e.village.code for e in owed} == {V1}
    assert (Kind.SUBSIDIES, "最低生活保障金", "2026-10", "late") in {(e.kind, e.item, e.month, e.state) for e in owed}
    assert all(e.outstanding for e in owed)  # the September roster is published: not listed


def test_an_item_an_administrator_marks_monthly_gets_a_calendar(township_tree):
    roster(V1, payment(person(1), "高龄津贴", "2026-09"))
    assert subsidy_states([V1]) == {}  # not paid monthly everywhere: no calendar of its own
    db.session.get(SubsidyItem, "高龄津贴").monthly = True
    db.session.commit()
    assert subsidy_states([V1]) == {(V1, "高龄津贴", "2026-09"): "published", (V1, "高龄津贴", "2026-10"): "late"}


def test_projects_and_contracts_have_no_calendar(township_tree):
    assert SCHEDULED == (Kind.LEDGER, Kind.SUBSIDIES)
