"""`flask calendar …`: deadlines, loading a year's schedule, and what the table covers."""

import re
import sys
from datetime import datetime
from importlib.metadata import version
from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import inspect

from core.calendar import queries, services
from core.calendar.models import Source
from core.calendar.reminders import schedule_reminder
from core.calendar.workdays import working_deadline
from core.db import utcnow
from core.extensions import db
from core.problems import Rejected
from core.timezone import SHANGHAI, format_local, local_date

calendar_cli = AppGroup("calendar", help="工作日历")

MAX_DAYS = 1000
WEEKDAYS = "一二三四五六日"


def _require_table() -> None:
    if not inspect(db.engine).has_table("calendar_years"):
        raise click.ClickException("数据库中没有日历表，请先运行 flask --app app db upgrade")


def _parse_start(text: str) -> datetime:
    try:
        start = datetime.fromisoformat(text.strip())
    except ValueError:
        raise click.ClickException(f"开始时间「{text}」无效，应为ISO格式，例如 2026-09-30T10:00") from None
    return start if start.tzinfo else start.replace(tzinfo=SHANGHAI)


def _parse_count(text: str) -> int:
    if not re.fullmatch(r"[0-9]+", text.strip()) or not 1 <= int(text) <= MAX_DAYS:
        raise click.ClickException(f"工作日数「{text}」无效，应为1至{MAX_DAYS}的整数")
    return int(text)


def _years(years) -> str:
    return "、".join(f"{year}年" for year in sorted(years))


# ignore_unknown_options lets "-3" reach our own check instead of click's English error.
@calendar_cli.command("due", context_settings={"ignore_unknown_options": True})
@click.argument("start")
@click.argument("count", metavar="N")
def due(start: str, count: str) -> None:
    """Print the end of the N-th working day after START (Asia/Shanghai unless it has an offset)."""
    begin, n = _parse_start(start), _parse_count(count)
    _require_table()
    deadline = working_deadline(begin, n)
    click.echo(deadline.at.astimezone(SHANGHAI).isoformat())
    if deadline.is_provisional:
        click.echo(f"预计：{_years(deadline.provisional_years)}的节假日安排尚未载入，按周一至周五计算")


@calendar_cli.command("load")
@click.argument("path", metavar="FILE")
@click.option(
    "--partial",
    is_flag=True,
    help="文件只更正所列日期（该年须已载入），其余日期不变；不加时文件须是全年安排，替换该年全部日期",
)
def load(path: str, partial: bool) -> None:
    """Load a year's schedule from a UTF-8 CSV (日期,类型); all or nothing."""
    try:
        data = Path(path).read_bytes()
    except OSError:
        raise click.ClickException(f"无法读取文件「{path}」") from None
    _require_table()
    try:
        summary = services.load_calendar_file(data, partial=partial)
    except Rejected as rejected:
        for line in rejected.lines():
            click.echo(line, err=True)
        if isinstance(rejected, services.IncompleteYear):
            click.echo("未载入。如只需更正个别日期、其余日期不变，请加 --partial", err=True)
        sys.exit(1)
    click.echo(str(summary))


@calendar_cli.command("diff")
def diff() -> None:
    """Show where the installed chinesecalendar disagrees with the table; changes nothing."""
    _require_table()
    differences, missing = queries.library_differences()
    library = f"chinesecalendar {version('chinesecalendar')}"
    for year in missing:
        click.echo(f"{year}年：库（{library}）中有安排，日历表未载入")
    for item in differences:
        click.echo(
            f"{item.day.isoformat()}（周{WEEKDAYS[item.day.weekday()]}）："
            f"库为{'上班' if item.library_workday else '休息'}，表中为"
            f"{'上班' if item.stored_workday else '休息'}（{Source(item.stored_source).label}）"
        )
    if differences or missing:
        click.echo(f"共{len(differences)}处日期不同，{len(missing)}个年份未载入；日历表未作改动")
    else:
        click.echo(f"库（{library}）与日历表一致")


@calendar_cli.command("status")
def status() -> None:
    """List the covered years and say which years near today are not loaded."""
    _require_table()
    coverage = queries.year_coverage()
    if not coverage:
        click.echo("日历表中没有任何年份")
    for first, last, row in _runs(coverage):
        span = f"{first}年" if first == last else f"{first}–{last}年"
        click.echo(f"{span}：{row.source.label}，{format_local(row.loaded_at)}载入")
    today = local_date(utcnow())
    covered = {row.year for row in coverage}
    near = [year for year in (today.year, today.year + 1) if year not in covered]
    if near:
        click.echo(f"未载入：{_years(near)}，跨入这些年份的期限按周一至周五预计")
    else:
        click.echo(f"今年（{today.year}年）和明年（{today.year + 1}年）的安排均已载入")
    reminder = schedule_reminder(today, covered)
    if reminder:
        click.echo(reminder.message)


def _runs(coverage):
    """Consecutive years loaded the same way at the same time, as (first, last, row)."""
    runs = []
    for row in coverage:
        previous = runs[-1] if runs else None
        if (
            previous
            and previous[1] == row.year - 1
            and (previous[2].source, previous[2].loaded_at) == (row.source, row.loaded_at)
        ):
            runs[-1] = (previous[0], row.year, previous[2])
        else:
            runs.append((row.year, row.year, row))
    return runs
