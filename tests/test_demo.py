from datetime import datetime

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
