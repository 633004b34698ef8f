"""Dashboard numbers on a known fixture: met on time, met late, overdue, not yet due, merged,
every column of a month by month of arrival; scoped to what the user may see; charts as inline SVG."""

from datetime import date, timedelta

import pytest
import time_machine
from factories import new_case

from admin.charts import bar_chart, hbar_chart, line_chart
from admin.dashboard import dashboard_stats, month_starts
from complaints.clocks import refresh_next_due
from complaints.models import Category, ClockKind, Complaint, Status
from core.extensions import db
from core.timezone import shanghai

NOW = shanghai(2026, 11, 25, 12)


def make_case(
    received,
    village="629901101201",
    category=Category.FUNDS,
    *,
    reply=None,
    progress=None,
    closed=None,
    rating=None,
    status=None,
    merged_into=None,
) -> Complaint:
    """A case whose clocks were met `reply`/`progress` = "on_time" | "late" | None (not met)."""
    case = new_case(village=village, category=category, text="反映问题", received_at=received)
    for kind, how in ((ClockKind.REPLY, reply), (ClockKind.PROGRESS, progress)):
        clock = case.clock(kind)
        if how == "on_time":
            clock.met_at = clock.starts_at + timedelta(days=1)
        elif how == "late":
            clock.met_at = clock.due_at + timedelta(days=1)
    if closed:
        case.status, case.closed_at, case.rating = Status.CLOSED, closed, rating
    if status:
        # Both at once: the database refuses a merged case without the case it joined.
        case.status, case.merged_into_id = status, merged_into.id if merged_into is not None else None
    refresh_next_due(case)
    db.session.commit()
    return case


@pytest.fixture
def known(township_tree):
    a = make_case(
        shanghai(2026, 10, 12, 10),
        reply="on_time",
        progress="on_time",
        closed=shanghai(2026, 10, 20, 9),
        rating="satisfied",
    )
    make_case(
        shanghai(2026, 10, 13, 10), reply="late", progress="late", closed=shanghai(2026, 11, 3, 9), rating="basically"
    )
    make_case(shanghai(2026, 11, 2, 10))  # both clocks overdue, open
    make_case(shanghai(2026, 11, 20, 10))  # reply due 11-25 23:59: not yet counted
    make_case(shanghai(2026, 10, 15, 10), "629901102201", Category.SUBSIDY, reply="on_time")  # progress overdue
    make_case(shanghai(2026, 10, 16, 10), status=Status.MERGED, merged_into=a)  # counted in its target
    make_case(
        shanghai(2025, 6, 1, 10),
        reply="on_time",
        progress="on_time",
        closed=shanghai(2026, 11, 10, 9),
        rating="unsatisfied",
    )  # arrived before the window
    db.session.commit()


def test_months_window_ends_with_this_month():
    months = month_starts(NOW)
    assert months[0] == date(2025, 12, 1) and months[-1] == date(2026, 11, 1) and len(months) == 12
    assert month_starts(shanghai(2026, 1, 1, 0, 5), 2) == [date(2025, 12, 1), date(2026, 1, 1)]


def test_numbers_for_the_whole_county(known, make_user):
    stats = dashboard_stats(make_user("root", "admin"), month_starts(NOW), NOW)
    total = stats.total
    assert (total.received, total.open, total.overdue, total.closed) == (5, 3, 2, 2)
    assert (total.reply_rate.part, total.reply_rate.whole, total.reply_rate.percent) == (2, 4, "50.0%")
    assert (total.progress_rate.part, total.progress_rate.whole) == (1, 4)
    # The case received in 2025 and rated in the window is not one of the window's cases.
    assert (total.satisfaction.part, total.satisfaction.whole) == (2, 2)
    october, november = stats.by_month[-2], stats.by_month[-1]
    assert (october.received, november.received) == (3, 2)
    assert (october.satisfaction.part, october.satisfaction.whole) == (2, 2)
    assert (november.satisfaction.part, november.satisfaction.whole) == (0, 0)
    assert [t.received for t in stats.by_month[:-2]] == [0] * 10
    townships = {row.label: (row.tally.received, row.tally.open, row.tally.overdue) for row in stats.by_township}
    assert townships == {"黄大镇": (4, 2, 1), "白水乡": (1, 1, 1)}
    assert [(row.label, row.tally.received) for row in stats.by_category] == [("资金使用", 4), ("补贴发放", 1)]
    assert stats.by_village[0].label == "青山村" and stats.by_village[0].tally.received == 4


def test_numbers_stay_in_the_users_scope(known, make_user):
    stats = dashboard_stats(make_user("baishui", "handler", ["629901102000"]), month_starts(NOW), NOW)
    total = stats.total
    assert (total.received, total.open, total.overdue) == (1, 1, 1)
    assert (total.reply_rate.percent, total.progress_rate.percent, total.satisfaction.percent) == (
        "100.0%",
        "0.0%",
        "—",
    )
    assert [row.label for row in stats.by_township] == ["白水乡"]
    nobody = dashboard_stats(make_user("kuaiji", "accountant", ["629901101201"]), month_starts(NOW), NOW)
    assert nobody.total.received == 0 and nobody.by_township == []


def test_a_single_month_as_in_the_monthly_report(known, make_user):
    stats = dashboard_stats(make_user("root", "admin"), [date(2026, 10, 1)], NOW)
    assert (stats.total.received, stats.total.reply_rate.whole, stats.total.satisfaction.whole) == (3, 3, 2)


def test_each_column_of_a_month_counts_that_months_cases(known, make_user):
    """October received three cases and closed two of them (one closed in November): its row says
    2 closed and rates those 2; November, which received no case that is closed yet, rates none."""
    stats = dashboard_stats(make_user("root", "admin"), month_starts(NOW), NOW)
    october, november = stats.by_month[-2], stats.by_month[-1]
    assert (october.received, october.closed, october.satisfaction.whole) == (3, 2, 2)
    assert (november.received, november.closed, november.satisfaction.whole) == (2, 0, 0)
    for month in stats.by_month:
        assert month.satisfaction.whole <= month.closed <= month.received


def test_dashboard_page_has_charts_and_tables_without_inline_styles(known, client, make_user, login):
    make_user("handler", "handler", ["629901000000"])
    with time_machine.travel(NOW, tick=False):
        login("handler")
        page = client.get("/admin/dashboard")
    assert page.status_code == 200
    html = page.text
    # The one script is the 大字 switch, inline under its CSP hash (core/assets/inline.py).
    assert html.count("<svg") == 4 and "style=" not in html and html.count("<script") == 1 and "<script>" in html
    assert "50.0%" in html and "黄大镇" in html and "2026年11月" in html
    assert "/admin/reports/monthly.pdf?month=2026-11" in html


@pytest.mark.parametrize("role", ["accountant", "reviewer"])
def test_supervised_roles_get_403(township_tree, client, make_user, login, role):
    make_user("someone", role, ["629901101201"])
    login("someone")
    assert client.get("/admin/dashboard").status_code == 403


def test_charts_escape_labels_and_use_presentation_attributes():
    svg = bar_chart("受理量", ["1月", "<b>"], [3, 0], unit="件")
    assert "<b>" not in svg and "&lt;b&gt;" in svg and 'fill="#' in svg and "style" not in svg
    lines = line_chart("按期率", ["1月", "2月", "3月"], [("初步答复", [50.0, None, 100.0])])
    assert lines.count("<polyline") == 2  # a month without cases breaks the line
    assert "暂无数据" in hbar_chart("村", [])
