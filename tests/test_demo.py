from datetime import datetime
from decimal import Decimal

import pytest
import time_machine
from sqlalchemy import func, select

from core.extensions import db
from core.regions.models import Region
from core.timezone import SHANGHAI
from core.users.models import User
from core.users.services import authenticate


def test_demo_builds_a_county_and_printed_passwords_work(cli, client):
    result = cli.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    levels = dict(db.session.execute(select(Region.level, func.count()).group_by(Region.level)).all())
    assert levels["county"] == 1 and levels["township"] >= 3 and levels["village"] >= 20
    line = next(line for line in result.output.splitlines() if line.strip().startswith("jiwei "))
    assert authenticate("jiwei", line.split("密码：")[1]).is_lead
    assert db.session.scalar(select(func.count()).select_from(User)) >= 5
    assert "青山村" in client.get("/search?q=qs").text
    from complaints.models import Complaint, Status

    statuses = set(db.session.scalars(select(Complaint.status)))
    assert db.session.scalar(select(func.count()).select_from(Complaint)) >= 30
    assert {Status.RECEIVED, Status.CLOSED} <= statuses


def test_demo_if_empty_leaves_existing_data_alone(cli, township_tree):
    result = cli.invoke(args=["demo", "--if-empty"])
    assert result.exit_code == 0 and "跳过" in result.output
    assert db.session.scalar(select(func.count()).select_from(Region)) == 6


def test_demo_refuses_a_non_empty_database(cli, township_tree):
    assert cli.invoke(args=["demo"]).exit_code != 0


@pytest.fixture
def late_november():
    with time_machine.travel(datetime(2026, 11, 20, 10, 0, tzinfo=SHANGHAI), tick=False):
        yield


def test_the_demo_county_looks_like_one_that_works(cli, client, late_november):
    """Its public statistics read like a county at work: mostly on time, mostly satisfied, a few late."""
    from complaints.stats import published_until, year_stats
    from core.db import utcnow
    from core.demo import DEMO_COUNTY

    assert cli.invoke(args=["demo"]).exit_code == 0
    _, total = year_stats(DEMO_COUNTY[0][:6], 2026, published_until(utcnow()))
    for rate, low, high in ((total.replies, 0.75, 0.97), (total.progress, 0.7, 0.97), (total.satisfaction, 0.7, 0.97)):
        assert rate.whole >= 8 and low <= rate.part / rate.whole <= high, rate
    assert total.replies.part < total.replies.whole  # a few late or overdue cases to look at
    page = client.get(f"/stats?region={DEMO_COUNTY[0]}")
    assert total.replies.percent in page.text and total.satisfaction.percent in page.text


class TestTheDemoCountysPeople:
    """Who the demo's rosters pay, and how: read from the county as `flask demo` builds it."""

    @pytest.fixture
    def database_uri(self, demo_database_uri):
        return demo_database_uri

    @pytest.fixture
    def payments(self, app):
        from core.fields import field_cipher
        from disclosures.models import SubsidyPayment

        cipher = field_cipher()
        return [(p, cipher.decrypt(p.id_cipher)) for p in db.session.scalars(select(SubsidyPayment))]

    def test_recipients_and_complainants_have_names_of_their_own(self, payments):
        from collections import Counter

        from complaints.models import ComplaintIdentity
        from core.fields import field_cipher

        name_of = {id_number: p.name for p, id_number in payments}
        holders = Counter(name_of.values())
        assert len(name_of) >= 200 and len(holders) >= 0.9 * len(name_of)
        assert holders.most_common(1)[0][1] <= 3  # namesakes happen; a placeholder name would not stop at three
        cipher = field_cipher()
        complainants = [cipher.decrypt(i.name_cipher) for i in db.session.scalars(select(ComplaintIdentity))]
        assert len(complainants) >= 5 and len(set(complainants)) >= 0.8 * len(complainants)

    def test_monthly_allowances_keep_their_amount_from_month_to_month(self, payments):
        from disclosures.demo import MONTHLY_ITEMS

        amounts = {}
        for payment, id_number in payments:
            if payment.item in {item for item, *_ in MONTHLY_ITEMS}:
                amounts.setdefault((id_number, payment.item), set()).add(payment.amount)
        assert len(amounts) >= 50
        assert all(len(seen) == 1 for seen in amounts.values())
        assert len({next(iter(seen)) for seen in amounts.values()}) >= 10  # but differ between people

    def test_age_and_land_decide_who_gets_the_other_items(self, payments):
        from disclosures.demo import ELDERLY_ITEM, JOB_ITEM, LAND_ITEM, LAND_RATE, age_on, born_of

        elderly = [(p, n) for p, n in payments if p.item == ELDERLY_ITEM]
        assert elderly and all(age_on(born_of(n), p.paid_on) >= 80 for p, n in elderly)
        assert all(age_on(born_of(n), p.paid_on) < 66 for p, n in payments if p.item == JOB_ITEM)
        land = [(p, n) for p, n in payments if p.item == LAND_ITEM]
        per_person_year = {(n, p.paid_on.year) for p, n in land}
        assert land and len(per_person_year) == len(land)  # once a year
        for payment, _ in land:  # a household's area, to a tenth of a 亩, at the county's rate
            area = payment.amount / LAND_RATE
            assert abs(area * 10 - round(area * 10)) < Decimal("0.01"), payment.amount
        assert len({p.amount for p, _ in land}) >= 20  # households farm different areas
