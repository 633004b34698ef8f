"""The working-day calendar: counting, clock states, loading a year, the CLI, freshness."""

from datetime import date, datetime, timedelta, timezone

import chinese_calendar
import pytest
import time_machine
from sqlalchemy import create_engine, event, func, select, text

from core.audit import AuditEntry
from core.calendar.clocks import ClockState, clock_state, due_soon_until
from core.calendar.library import library_days, library_years, seed_from_library
from core.calendar.models import CalendarDay, CalendarYear
from core.calendar.reminders import schedule_reminder
from core.calendar.services import load_calendar_file
from core.calendar.signals import calendar_changed
from core.calendar.workdays import (
    add_calendar_days_legal,
    add_working_days,
    is_workday,
    provisional_years,
    working_deadline,
)
from core.extensions import db
from core.problems import Rejected
from core.timezone import end_of_day, shanghai
from support import statutory_rest_rows

# Far enough ahead that no chinesecalendar release will cover it soon.
UNCOVERED = 2031


def csv_bytes(*rows: str, bom: bool = False) -> bytes:
    body = "\r\n".join(("日期,类型",) + rows) + "\r\n"
    return (b"\xef\xbb\xbf" if bom else b"") + body.encode()


def whole(year: int, *rows: str) -> tuple[str, ...]:
    """Rows of a file that can be a whole year: the statutory rest days, then `rows`."""
    return statutory_rest_rows(year) + rows


def stored_rows(year: int) -> list[tuple[date, bool, str]]:
    return list(
        db.session.execute(
            select(CalendarDay.day, CalendarDay.is_workday, CalendarDay.source)
            .where(CalendarDay.day.between(date(year, 1, 1), date(year, 12, 31)))
            .order_by(CalendarDay.day)
        ).all()
    )


# --- docs/clocks.md examples and edges -------------------------------------------------------------


@pytest.mark.parametrize(
    "start, n, last_day",
    [
        (shanghai(2026, 9, 30, 10, 0), 3, date(2026, 10, 10)),  # Oct 1–7 off; Sat Oct 10 make-up
        (shanghai(2026, 9, 30, 10, 0), 10, date(2026, 10, 20)),
        (shanghai(2026, 9, 19, 10, 0), 3, date(2026, 9, 22)),  # Sun Sep 20 is a make-up workday
        (shanghai(2026, 2, 13, 10, 0), 3, date(2026, 2, 25)),  # Sat Feb 14 works; Feb 15–23 off
        (shanghai(2026, 10, 7, 16, 0), 3, date(2026, 10, 10)),  # arrives on the last holiday day
        (shanghai(2026, 10, 10, 9, 0), 3, date(2026, 10, 14)),  # arrives on a make-up Saturday
        (shanghai(2026, 9, 29, 23, 59), 3, date(2026, 10, 9)),  # last minute of Tuesday
        (datetime(2026, 9, 29, 15, 59, tzinfo=timezone.utc), 3, date(2026, 10, 9)),  # same, in UTC
        (datetime(2026, 9, 29, 16, 30, tzinfo=timezone.utc), 3, date(2026, 10, 10)),  # Wed in Shanghai
    ],
)
def test_working_days_end_at_shanghai_midnight(app, start, n, last_day):
    due = add_working_days(start, n)
    assert due == end_of_day(last_day)
    assert due.isoformat() == f"{last_day.isoformat()}T23:59:59+08:00"


def test_first_example_to_the_second(app):
    assert add_working_days(shanghai(2026, 9, 30, 10), 3).isoformat() == "2026-10-10T23:59:59+08:00"


def test_is_workday_follows_the_table(app):
    assert is_workday(date(2026, 10, 10)) is True  # make-up Saturday
    assert is_workday(date(2026, 10, 1)) is False  # National Day
    assert is_workday(date(2026, 10, 11)) is False  # plain Sunday
    assert is_workday(date(2026, 10, 12)) is True  # plain Monday


def test_uncovered_year_counts_monday_to_friday_and_is_provisional(app):
    assert is_workday(date(UNCOVERED, 1, 1)) is True  # a Wednesday; New Year unknown here
    deadline = working_deadline(shanghai(UNCOVERED - 1, 12, 31, 10), 3)
    assert deadline.at == end_of_day(date(UNCOVERED, 1, 3))
    assert deadline.provisional_years == {UNCOVERED} and deadline.is_provisional
    assert not working_deadline(shanghai(2026, 9, 30, 10), 10).is_provisional
    assert (
        provisional_years(date(2026, 12, 1), date(UNCOVERED, 1, 5)) == set(range(2026, UNCOVERED + 1)) - library_years()
    )


def test_provisional_years_take_the_shanghai_day_of_an_instant(app):
    new_year_in_shanghai = datetime(UNCOVERED - 1, 12, 31, 17, 0, tzinfo=timezone.utc)
    assert provisional_years(new_year_in_shanghai, new_year_in_shanghai) == {UNCOVERED}


@pytest.mark.parametrize(
    "start, days, last_day",
    [
        (shanghai(2026, 3, 2, 9), 15, date(2026, 3, 17)),  # a plain Tuesday stays
        (shanghai(2026, 9, 1, 9), 30, date(2026, 10, 8)),  # Oct 1 is a holiday: moves past the week
        (shanghai(2026, 3, 2, 9), 60, date(2026, 5, 6)),  # May 1 holiday run ends on May 5
        (shanghai(2026, 3, 3, 9), 60, date(2026, 5, 6)),  # ends on Sat May 2 inside the holiday
        (shanghai(2026, 9, 10, 9), 30, date(2026, 10, 10)),  # a make-up Saturday is a working day
        (shanghai(2026, 3, 6, 9), 2, date(2026, 3, 9)),  # plain Sunday → Monday
    ],
)
def test_statutory_calendar_days_end_on_a_working_day(app, start, days, last_day):
    assert add_calendar_days_legal(start, days) == end_of_day(last_day)


def test_naive_or_empty_spans_are_refused(app):
    with pytest.raises(ValueError):
        add_working_days(datetime(2026, 9, 30, 10), 3)
    with pytest.raises(ValueError):
        add_working_days(shanghai(2026, 9, 30), 0)
    with pytest.raises(ValueError):
        add_calendar_days_legal(shanghai(2026, 9, 30), 0)


# --- the library copy -----------------------------------------------------------------------------


def test_migration_copied_the_library(app):
    library = library_days()
    stored = dict(db.session.execute(select(CalendarDay.day, CalendarDay.is_workday)).all())
    assert stored == library
    years = dict(db.session.execute(select(CalendarYear.year, CalendarYear.source)).all())
    assert years == {year: "library" for year in library_years()}
    with db.engine.begin() as connection:
        assert seed_from_library(connection) == set()  # covered years are never copied again


def test_upgraded_library_moves_nothing_and_diff_shows_it(app, cli, monkeypatch):
    monkeypatch.setitem(chinese_calendar.holidays, date(2026, 10, 8), "National Day")
    monkeypatch.setitem(chinese_calendar.holidays, date(UNCOVERED, 1, 1), "New Year's Day")
    assert add_working_days(shanghai(2026, 9, 30, 10), 3) == end_of_day(date(2026, 10, 10))
    result = cli.invoke(args=["calendar", "diff"])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"{UNCOVERED}年：库（chinesecalendar ")
    assert "2026-10-08（周四）：库为休息，表中为上班（随库复制）" in lines
    assert lines[-1] == "共1处日期不同，1个年份未载入；日历表未作改动"
    assert is_workday(date(2026, 10, 8)) and is_workday(date(UNCOVERED, 1, 1))


def test_diff_on_a_fresh_table_agrees(cli):
    result = cli.invoke(args=["calendar", "diff"])
    assert result.exit_code == 0 and result.stdout.endswith("与日历表一致\n")


def test_models_and_migration_agree_on_calendar_tables(app):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        changes = compare_metadata(context, db.metadata)
    assert [c for c in changes if "calendar" in repr(c)] == []


# --- loading a year -------------------------------------------------------------------------------


def test_loading_a_year_replaces_its_exceptions(app):
    before_2025 = stored_rows(2025)
    summary = load_calendar_file(csv_bytes(*whole(2026, "2026-10-08,休息", "2026-10-11,上班")), actor=None)
    assert (summary.rows, summary.years, summary.rest_days, summary.workdays) == (7, (2026,), 6, 1)
    assert str(summary) == "已载入2026年的节假日安排：共7行（休息6天，上班1天）"
    assert stored_rows(2026) == [
        (date(2026, 1, 1), False, "admin"),
        (date(2026, 5, 1), False, "admin"),
        (date(2026, 10, 1), False, "admin"),
        (date(2026, 10, 2), False, "admin"),
        (date(2026, 10, 3), False, "admin"),
        (date(2026, 10, 8), False, "admin"),
        (date(2026, 10, 11), True, "admin"),
    ]
    assert stored_rows(2025) == before_2025
    assert db.session.get(CalendarYear, 2026).source == "admin"
    # Unlisted dates of a loaded year follow Mon–Fri: Oct 5–7 are workdays now, Sat Oct 10 is not.
    assert is_workday(date(2026, 10, 5)) and not is_workday(date(2026, 10, 10))
    assert add_working_days(shanghai(2026, 9, 30, 10), 3) == end_of_day(date(2026, 10, 7))
    assert add_working_days(shanghai(2026, 10, 9, 10), 1) == end_of_day(date(2026, 10, 11))


def test_loading_a_new_year_covers_it(app):
    load_calendar_file(csv_bytes(*whole(UNCOVERED, f"{UNCOVERED}-01-04,上班")))
    deadline = working_deadline(shanghai(UNCOVERED - 1, 12, 31, 10), 3)
    assert deadline.at == end_of_day(date(UNCOVERED, 1, 4))  # Jan 2, 3, then make-up Sat Jan 4
    assert not deadline.is_provisional


def test_a_second_load_replaces_the_first(app):
    load_calendar_file(csv_bytes(*whole(UNCOVERED, f"{UNCOVERED}-01-02,休息", f"{UNCOVERED}-01-03,休息")))
    load_calendar_file(csv_bytes(*whole(UNCOVERED, f"{UNCOVERED}-01-03,休息"), bom=True))
    assert date(UNCOVERED, 1, 2) not in [row[0] for row in stored_rows(UNCOVERED)]
    assert is_workday(date(UNCOVERED, 1, 2)) and not is_workday(date(UNCOVERED, 1, 3))


def test_load_is_audited(app):
    load_calendar_file(csv_bytes(*whole(2026, "2026-10-08,休息"), *whole(UNCOVERED)))
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "calendar.load"))
    assert entry.actor_name == "命令行" and entry.target_id == f"2026,{UNCOVERED}"
    assert entry.detail_dict["before"] == {"2026": "library", str(UNCOVERED): None}
    assert entry.detail_dict["partial"] is False


def test_bad_file_reports_every_row_and_stores_nothing(app):
    before = stored_rows(2026)
    audits = db.session.scalar(select(func.count()).select_from(AuditEntry))
    data = csv_bytes(
        "2026-10-08,休息",
        "2026-02-30,休息",
        "2026/10/09,上班",
        "2026-10-08,上班",
        "2026-10-12,放假",
        "2026-10-13",
        "",
        f"{UNCOVERED}-01-01,休息",
    )
    with pytest.raises(Rejected) as caught:
        load_calendar_file(data)
    assert caught.value.lines() == [
        "第3行 日期「2026-02-30」：不是有效日期",
        "第4行 日期「2026/10/09」：不是有效日期（格式应为YYYY-MM-DD）",
        "第5行 日期「2026-10-08」：与第2行重复",
        "第6行 类型「放假」：应为「休息」或「上班」",
        "第7行：应有日期、类型两列",
        "共5处错误",
    ]
    db.session.rollback()
    assert stored_rows(2026) == before and stored_rows(UNCOVERED) == []
    assert db.session.get(CalendarYear, UNCOVERED) is None
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == audits


@pytest.mark.parametrize(
    "data, line",
    [
        ("类型,日期\n2026-10-08,休息\n".encode(), "文件：第1行表头应为「日期,类型」"),
        (b"", "文件：第1行表头应为「日期,类型」"),
        ("日期,类型\n".encode(), "文件：没有任何日期"),
        ("日期,类型\n2026-10-08,休息\n".encode("gbk"), "文件：不是UTF-8编码，请另存为“CSV UTF-8”格式"),
    ],
)
def test_bad_file_shapes_are_rejected(app, data, line):
    with pytest.raises(Rejected) as caught:
        load_calendar_file(data)
    assert caught.value.lines()[0] == line


def test_signal_fires_after_commit_with_the_years(app):
    seen = []

    def receiver(sender, years):
        # A separate connection sees the change: the signal comes after the commit.
        engine = create_engine(db.engine.url)
        with engine.connect() as connection:
            source = connection.execute(
                text("SELECT source FROM calendar_years WHERE year = :y"), {"y": UNCOVERED}
            ).scalar()
        engine.dispose()
        seen.append((sender, years, source))

    with calendar_changed.connected_to(receiver):
        with pytest.raises(Rejected):
            load_calendar_file(csv_bytes("2026-13-01,休息"))
        load_calendar_file(csv_bytes(*whole(2026, "2026-10-08,休息"), *whole(UNCOVERED)))
    assert seen == [(app, frozenset({2026, UNCOVERED}), "admin")]


def test_no_stale_calendar_when_another_connection_changes_it(app):
    # Each request is one transaction: what it read of the calendar ends with it.
    arrived = shanghai(2026, 9, 30, 10)
    assert add_working_days(arrived, 3) == end_of_day(date(2026, 10, 10))
    other = create_engine(db.engine.url)
    with other.begin() as connection:
        connection.execute(text("DELETE FROM calendar_days WHERE day = :day"), {"day": date(2026, 10, 10)})
    db.session.rollback()
    assert add_working_days(arrived, 3) == end_of_day(date(2026, 10, 12))
    with other.begin() as connection:
        connection.execute(
            text("INSERT INTO calendar_days (day, is_workday, source) VALUES (:day, :work, 'admin')"),
            {"day": date(2026, 10, 9), "work": False},
        )
    db.session.commit()
    assert add_working_days(arrived, 3) == end_of_day(date(2026, 10, 13))
    other.dispose()


def test_one_transaction_reads_the_calendar_once_for_all_its_deadlines(app):
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        arrived = shanghai(2026, 9, 30, 10)
        reply, progress = working_deadline(arrived, 3), working_deadline(arrived, 10)
        assert len(statements) == 1  # the days of one window serving both, with the covered years
        assert (reply.at, progress.at) == (end_of_day(date(2026, 10, 10)), end_of_day(date(2026, 10, 20)))
        # A file with one more rest day replaces 2026's schedule; what was read before is forgotten.
        load_calendar_file(csv_bytes(*whole(2026, "2026-10-12,休息")))
        statements.clear()
        assert working_deadline(arrived, 3).at == end_of_day(date(2026, 10, 7))
        assert working_deadline(arrived, 10).at == end_of_day(date(2026, 10, 19))
        assert len(statements) == 1
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)


# --- the command line -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "start, n, expected",
    [
        ("2026-09-30T10:00", "3", "2026-10-10T23:59:59+08:00\n"),
        ("2026-09-30 10:00", "10", "2026-10-20T23:59:59+08:00\n"),
        ("2026-09-19", "3", "2026-09-22T23:59:59+08:00\n"),
        ("2026-09-29T16:30:00+00:00", "3", "2026-10-10T23:59:59+08:00\n"),  # already Wed in Shanghai
        ("2026-09-29T15:59:00Z", "3", "2026-10-09T23:59:59+08:00\n"),
        (
            f"{UNCOVERED - 1}-12-31T10:00",
            "3",
            f"{UNCOVERED}-01-03T23:59:59+08:00\n预计：{UNCOVERED}年的节假日安排尚未载入，按周一至周五计算\n",
        ),
    ],
)
def test_cli_due_prints_the_deadline(cli, start, n, expected):
    result = cli.invoke(args=["calendar", "due", start, n])
    assert result.exit_code == 0, result.output
    assert result.stdout == expected


@pytest.mark.parametrize(
    "args, message",
    [
        (["2026-09-31", "3"], "开始时间「2026-09-31」无效"),
        (["明天", "3"], "开始时间「明天」无效"),
        (["2026-09-30", "0"], "工作日数「0」无效"),
        (["2026-09-30", "-3"], "工作日数「-3」无效"),
        (["2026-09-30", "2.5"], "工作日数「2.5」无效"),
    ],
)
def test_cli_due_refuses_bad_input(cli, args, message):
    result = cli.invoke(args=["calendar", "due", *args])
    assert result.exit_code != 0
    assert message in result.stderr and result.stdout == ""


def test_cli_load_good_file(cli, tmp_path):
    path = tmp_path / f"{UNCOVERED}.csv"
    path.write_bytes(csv_bytes(*whole(UNCOVERED, f"{UNCOVERED}-01-04,上班"), bom=True))
    result = cli.invoke(args=["calendar", "load", str(path)])
    assert result.exit_code == 0, result.output
    assert result.stdout == f"已载入{UNCOVERED}年的节假日安排：共6行（休息5天，上班1天）\n"
    assert (
        cli.invoke(args=["calendar", "due", f"{UNCOVERED - 1}-12-31", "3"]).stdout
        == f"{UNCOVERED}-01-04T23:59:59+08:00\n"
    )


def test_cli_load_bad_file(cli, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(csv_bytes(f"{UNCOVERED}-02-30,休息", f"{UNCOVERED}-01-01,放假"))
    result = cli.invoke(args=["calendar", "load", str(path)])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"第2行 日期「{UNCOVERED}-02-30」：不是有效日期",
        "第3行 类型「放假」：应为「休息」或「上班」",
        "共2处错误",
    ]
    assert result.stdout == ""
    assert db.session.get(CalendarYear, UNCOVERED) is None


def test_cli_load_refuses_a_partial_year_and_keeps_it(cli, tmp_path):
    before = stored_rows(2026)
    path = tmp_path / "2026.csv"
    path.write_bytes(csv_bytes("2026-10-09,休息"))
    result = cli.invoke(args=["calendar", "load", str(path)])
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.splitlines() == [
        "文件：2026年的安排没有把元旦（1月1日）、劳动节（5月1日）、国庆节（10月1日、10月2日）列为休息日，"
        "不是全年的节假日安排；载入全年安排会替换2026年原有的全部节假日和调休",
        "共1处错误",
        "未载入。如只需更正个别日期、其余日期不变，请加 --partial",
    ]
    db.session.rollback()
    assert stored_rows(2026) == before and db.session.get(CalendarYear, 2026).source == "library"


def test_cli_load_partial_changes_only_the_listed_dates(cli, tmp_path):
    before = stored_rows(2026)
    path = tmp_path / "2026.csv"
    path.write_bytes(csv_bytes("2026-10-09,休息", "2026-10-10,休息"))  # Fri, and the make-up Sat
    result = cli.invoke(args=["calendar", "load", "--partial", str(path)])
    assert result.exit_code == 0, result.output
    assert result.stdout == "已更正2026年的2个日期（休息2天，上班0天），其余日期不变\n"
    db.session.rollback()
    after = stored_rows(2026)
    assert [row for row in after if row[0].month != 10 or row[0].day not in (9, 10)] == [
        row for row in before if row[0].month != 10 or row[0].day not in (9, 10)
    ]
    assert (date(2026, 10, 9), False, "admin") in after and (date(2026, 10, 10), False, "admin") in after
    assert not is_workday(date(2026, 10, 1))  # the library's holidays stay
    assert add_working_days(shanghai(2026, 9, 30, 10), 3) == end_of_day(date(2026, 10, 13))
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "calendar.load"))
    assert entry.detail_dict["partial"] is True
    assert entry.detail_dict["before"] == {"2026-10-09": None, "2026-10-10": "上班"}


def test_cli_load_partial_needs_a_loaded_year(cli, tmp_path):
    path = tmp_path / "mixed.csv"
    path.write_bytes(csv_bytes("2026-10-09,休息", f"{UNCOVERED}-10-08,休息"))
    result = cli.invoke(args=["calendar", "load", "--partial", str(path)])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"文件：{UNCOVERED}年尚未载入全年的节假日安排，不能只更正其中的日期；请载入该年完整的安排",
        "共1处错误",
    ]
    db.session.rollback()
    assert stored_rows(UNCOVERED) == [] and is_workday(date(2026, 10, 9))


def test_a_whole_year_need_not_list_holidays_on_weekends(app):
    # 2026-10-03 is a Saturday: a rest day whether listed or not.
    rows = [row for row in whole(2026) if not row.startswith("2026-10-03")]
    assert load_calendar_file(csv_bytes(*rows)).rows == 4


def test_cli_load_missing_file(cli, tmp_path):
    result = cli.invoke(args=["calendar", "load", str(tmp_path / "none.csv")])
    assert result.exit_code == 1 and "无法读取文件" in result.stderr


def test_cli_status_names_years_not_loaded(cli):
    first, last = min(library_years()), max(library_years())
    with time_machine.travel(shanghai(UNCOVERED - 1, 12, 5, 9), tick=False):
        result = cli.invoke(args=["calendar", "status"])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"{first}–{last}年：随库复制，")
    assert f"未载入：{UNCOVERED - 1}年、{UNCOVERED}年，跨入这些年份的期限按周一至周五预计" in lines


# --- clock states ---------------------------------------------------------------------------------

DUE_MONDAY = end_of_day(date(2026, 10, 19))


@pytest.mark.parametrize(
    "due_at, met_at, now, state",
    [
        (DUE_MONDAY, None, shanghai(2026, 10, 15, 10), ClockState.RUNNING),  # Thu: next wd is Fri
        (DUE_MONDAY, None, shanghai(2026, 10, 16, 10), ClockState.DUE_SOON),  # Fri: across weekend
        (DUE_MONDAY, None, shanghai(2026, 10, 17, 10), ClockState.DUE_SOON),  # Sat
        (DUE_MONDAY, None, shanghai(2026, 10, 19, 23, 59, 59), ClockState.DUE_SOON),
        (DUE_MONDAY, None, DUE_MONDAY + timedelta(seconds=1), ClockState.OVERDUE),
        (DUE_MONDAY, DUE_MONDAY, DUE_MONDAY + timedelta(days=3), ClockState.MET),
        (DUE_MONDAY, DUE_MONDAY + timedelta(seconds=1), DUE_MONDAY + timedelta(days=3), ClockState.MET_LATE),
        # Before National Day the next working day is Oct 8.
        (end_of_day(date(2026, 10, 8)), None, shanghai(2026, 9, 30, 10), ClockState.DUE_SOON),
        (end_of_day(date(2026, 10, 9)), None, shanghai(2026, 9, 30, 10), ClockState.RUNNING),
    ],
)
def test_clock_states(app, due_at, met_at, now, state):
    assert clock_state(due_at, met_at, now) is state


def test_clock_state_labels_and_shared_cutoff(app):
    assert [s.label for s in ClockState] == ["进行中", "即将到期", "已超期", "按期完成", "超期完成"]
    friday = shanghai(2026, 10, 16, 10)
    assert due_soon_until(friday) == DUE_MONDAY
    state = clock_state(DUE_MONDAY, None, friday, soon_until=due_soon_until(friday))
    assert state is ClockState.DUE_SOON


# --- the reminder for the admin pages -------------------------------------------------------------


@pytest.mark.parametrize(
    "today, covered, level",
    [
        (date(2026, 10, 31), {2026}, None),
        (date(2026, 11, 1), {2026}, "info"),
        (date(2026, 11, 30), {2026, 2027}, None),
        (date(2026, 12, 1), {2026}, "warning"),
        (date(2027, 3, 1), {2026}, "warning"),  # this very year missing: always loud
    ],
)
def test_schedule_reminder(today, covered, level):
    reminder = schedule_reminder(today, covered)
    assert (reminder.level if reminder else None) == level
    if reminder:
        assert f"{today.year + (today.month >= 11)}年" in reminder.message
