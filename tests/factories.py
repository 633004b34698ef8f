"""Shared test data: the staff of the township tree (tests/conftest.py's `township_tree`) and a
filed case, so that test files name who and what they need instead of redefining them."""

from datetime import datetime, timedelta

from sqlalchemy import select

from complaints.models import Category, Channel, Complaint, InspectionRound
from complaints.services import Identity, file_complaint
from core.db import utcnow
from core.extensions import db
from core.regions.models import Region
from core.timezone import local_date

COUNTY, TOWNSHIP, OTHER_TOWNSHIP, VILLAGE = "629901000000", "629901101000", "629901102000", "629901101201"

# key → (username, role, regions, is_lead). Usernames are part of what some tests assert
# (reminders, mail recipients), so a key always makes the same account.
STAFF = {
    "lead": ("lead", "handler", [COUNTY], True),
    "county_lead": ("xianlead", "handler", [COUNTY], True),
    "township_lead": ("zhenlead", "handler", [TOWNSHIP], True),
    "other_lead": ("xianglead", "handler", [OTHER_TOWNSHIP], True),
    "handler": ("handler", "handler", [TOWNSHIP], False),
    "colleague": ("colleague", "handler", [TOWNSHIP], False),
    "far": ("far", "handler", [OTHER_TOWNSHIP], False),
    "other_township": ("far", "handler", [OTHER_TOWNSHIP], False),
    "accountant": ("kuaiji", "accountant", [VILLAGE], False),
    "reviewer": ("shenhe", "reviewer", [TOWNSHIP], False),
    "admin": ("root", "admin", [], False),
}

# The complainant of a real-name case.
NAME, PHONE = "段凤", "13800138000"


def file_case(
    *,
    real_name: bool = False,
    village: str = VILLAGE,
    text: str = "修路款去向不明",
    category: Category = Category.FUNDS,
    received_at: datetime | None = None,
    **kw,
):
    """A case filed on the web, anonymous unless real_name; keywords go to file_complaint. The
    filing's answer (code and secret, as the villager was shown them) and the stored case."""
    filed = file_complaint(
        village=db.session.get(Region, village),
        category=category,
        text=text,
        channel=Channel.WEB,
        identity=Identity(NAME, PHONE) if real_name else None,
        received_at=received_at,
        **kw,
    )
    return filed, db.session.scalar(select(Complaint).where(Complaint.code == filed.code))


def new_case(**kw) -> Complaint:
    """The stored case of file_case(**kw)."""
    return file_case(**kw)[1]


def running_round(members, villages) -> InspectionRound:
    """An inspection round of 青川县 that began yesterday and runs another 30 days, committed."""
    today = local_date(utcnow())
    running = InspectionRound(
        name="本轮巡察",
        team_name="县委第二巡察组",
        county_code=COUNTY,
        starts_on=today - timedelta(days=1),
        ends_on=today + timedelta(days=30),
        members=list(members),
        villages=list(villages),
    )
    db.session.add(running)
    db.session.commit()
    return running
