from datetime import date

from core.extensions import db
from core.regions.models import Region
from disclosures.due import due_date, ledger_calendar, recent_months
from disclosures.models import Batch


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
