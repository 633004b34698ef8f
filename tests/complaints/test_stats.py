"""Public statistics on a known fixture: on-time rates per docs/clocks.md, by month of arrival;
satisfaction by month of closing; merged duplicates not counted twice."""

import re
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from core.db import utcnow
from core.extensions import db
from core.regions.models import Region
from core.timezone import local, shanghai
from complaints.models import Category, Channel, ClockKind, Complaint, Status
from complaints.services import Identity, file_complaint
from complaints.stats import year_stats

QINGSHAN, HEKOU = "629901101201", "629901102201"


def case(
    village: str,
    at,
    *,
    reply=None,
    progress=None,
    closed_at=None,
    rating=None,
    status=None,
    merged_into=None,
    identity=None,
) -> Complaint:
    """A 2025 case; reply/progress: 'on_time', 'late' or None (not met, so overdue by now)."""
    filed = file_complaint(
        village=db.session.get(Region, village),
        category=Category.FUNDS,
        text="账目不清",
        channel=Channel.WEB,
        identity=identity,
        received_at=at,
    )
    found = db.session.scalar(select(Complaint).where(Complaint.code == filed.code))
    for kind, how in ((ClockKind.REPLY, reply), (ClockKind.PROGRESS, progress)):
        clock = found.clock(kind)
        if how == "on_time":
            clock.met_at = at + timedelta(hours=1)
        elif how == "late":
            clock.met_at = clock.due_at + timedelta(days=1)
    found.closed_at, found.rating = closed_at, rating
    # Both at once: the database refuses a merged case without the case it joined.
    found.status, found.merged_into_id = (
        status or (Status.CLOSED if closed_at else Status.RECEIVED),
        merged_into and merged_into.id,
    )
    db.session.commit()
    return found


@pytest.fixture
def year_2025(township_tree):
    jan = shanghai(2025, 1, 6, 10)
    a = case(
        QINGSHAN,
        jan,
        reply="on_time",
        progress="on_time",
        closed_at=shanghai(2025, 1, 20, 9),
        rating="satisfied",
        identity=Identity("段凤", "13800138000"),
    )
    case(QINGSHAN, jan, reply="late")
    case(QINGSHAN, shanghai(2025, 1, 31, 20))  # 12:00 UTC: still January in Shanghai
    case(QINGSHAN, jan, reply="on_time", status=Status.MERGED, merged_into=a)  # a duplicate of a
    case(HEKOU, jan, reply="on_time")
    # 01:00 on 1 February in Shanghai is still 31 January in UTC: it counts for February.
    case(
        QINGSHAN,
        shanghai(2025, 2, 1, 1),
        reply="on_time",
        progress="late",
        closed_at=shanghai(2025, 3, 3, 9),
        rating="unsatisfied",
        status=Status.REOPENED,
    )
    case(QINGSHAN, shanghai(2025, 2, 10, 9), reply="on_time", closed_at=shanghai(2025, 2, 20, 9), rating="basically")
    case(QINGSHAN, shanghai(2024, 12, 31, 23))  # another year


def numbers(prefix: str):
    months, total = year_stats(prefix, 2025, utcnow())
    return {
        m.month: (m.received, m.replies.percent, m.progress.percent, m.closed, m.satisfaction.percent)
        for m in months
        if m.received or m.satisfaction.whole
    }, total


def test_county_numbers(year_2025):
    months, total = numbers("629901")
    assert months == {
        1: (4, "50.0%", "25.0%", 1, "100.0%"),  # on time: a, 河口; late: b; overdue: the 31st's
        2: (2, "100.0%", "0.0%", 1, "100.0%"),  # progress: one late, one overdue; 基本满意 closed in Feb
        3: (0, "—", "—", 0, "0.0%"),  # the 不满意 rating belongs to March, the month it was closed
    }
    assert (
        total.received,
        total.replies.percent,
        total.progress.percent,
        total.closed,
        total.satisfaction.percent,
    ) == (6, "66.7%", "16.7%", 2, "66.7%")


def test_township_and_village_numbers(year_2025):
    assert numbers("629901102")[0] == {1: (1, "100.0%", "0.0%", 0, "—")}
    village, total = numbers(QINGSHAN)
    assert village[1][:2] == (3, "33.3%") and total.received == 5


def test_unmet_clock_not_yet_due_is_left_out(township_tree):
    now = utcnow()
    case(QINGSHAN, now)  # running: neither met nor overdue, so not in the denominator
    _months, total = year_stats("629901", local(now).year, now)
    assert total.received == 1 and total.replies.whole == 0 and total.replies.percent == "—"


def test_statistics_page(client, year_2025):
    page = client.get("/stats?region=629901000000&year=2025")
    assert page.status_code == 200
    text = re.sub(r"\s+", " ", page.text)
    assert "青川县投诉举报办理情况" in text and "66.7%" in text and "16.7%" in text
    assert re.search(r'<th scope="row">1月</th> <td class="num">4</td> <td class="num">50.0%</td>', text)
    assert "段凤" not in text and "13800138000" not in text and "账目不清" not in text
    assert "/stats?region=629901101000&amp;year=2025" in text  # down to the townships
    village = client.get(f"/stats?region={QINGSHAN}&year=2025").text
    assert "33.3%" in village


def test_statistics_defaults_and_bounds(client, township_tree):
    assert "青川县" in client.get("/stats").text  # the only county
    assert client.get("/stats?region=629901000000&year=1999").status_code == 404
    assert client.get("/stats?region=000000000000").status_code == 404


def test_small_counts_and_rates_are_not_published(client, year_2025):
    village = re.sub(r"\s+", " ", client.get(f"/stats?region={HEKOU}&year=2025").text)
    # 河口村 had one complaint in January, answered on time: neither the one nor its 100% shows.
    assert re.search(
        r'1月</th> <td class="num">&lt;3</td> <td class="num">—</td> <td class="num">—</td> '
        r'<td class="num">&lt;3</td> <td class="num">—</td>',
        village,
    )
    assert "100.0%" not in village and '<div class="value">1</div>' not in village
    county = re.sub(r"\s+", " ", client.get("/stats?region=629901000000&year=2025").text)
    assert re.search(
        r'1月</th> <td class="num">4</td> <td class="num">50.0%</td> <td class="num">25.0%</td> '
        r'<td class="num">&lt;3</td> <td class="num">—</td>',
        county,
    )  # one closed, one rating
    assert re.search(
        r'3月</th> <td class="num">&lt;3</td>( <td class="num">—</td>){2} <td class="num">&lt;3</td> '
        r'<td class="num">—</td>',
        county,
    )  # the single 不满意 of March is nobody's to read
    assert '<div class="value">6</div>' in county and '<div class="value">66.7%</div>' in county


def test_a_day_passes_before_figures_show(client, township_tree):
    yesterday, today = shanghai(2026, 3, 9, 10), shanghai(2026, 3, 10, 9)
    with time_machine.travel(shanghai(2026, 3, 10, 15), tick=False):
        for at in (yesterday,) * 3 + (today,) * 3:
            case(QINGSHAN, at)
        for rated in (
            case(QINGSHAN, yesterday, closed_at=yesterday, rating="unsatisfied"),
            case(QINGSHAN, yesterday, closed_at=yesterday, rating="satisfied"),
        ):
            rated.rated_at = yesterday
        for late in [case(QINGSHAN, yesterday, closed_at=yesterday, rating="satisfied") for _ in range(2)]:
            late.rated_at = today  # rated this morning: counted tomorrow
        db.session.commit()
        before = re.sub(r"\s+", " ", client.get(f"/stats?region={QINGSHAN}&year=2026").text)
        assert '<div class="value">7</div>' in before and "统计截至2026年03月10日0时" in before
        assert '<div class="value">—</div>' in re.search(r"满意率</div>.*?</div>", before).group(0)
    with time_machine.travel(shanghai(2026, 3, 11, 0, 5), tick=False):
        after = re.sub(r"\s+", " ", client.get(f"/stats?region={QINGSHAN}&year=2026").text)
    assert '<div class="value">10</div>' in after and "统计截至2026年03月11日0时" in after
    assert '<div class="value">75.0%</div>' in after
