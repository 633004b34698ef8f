"""Whether a schedule file can be a year's whole schedule: loading one replaces everything stored
for its years, so a file of a few corrections must not pass for it.

Every State Council schedule rests on 元旦, 劳动节 and the first three days of 国庆节, whatever the
lunar calendar does; a file that leaves any of them a working day is not a whole year."""

from datetime import date

from core.problems import Problem

FIXED_HOLIDAYS = (("元旦", ((1, 1),)), ("劳动节", ((5, 1),)), ("国庆节", ((10, 1), (10, 2), (10, 3))))


def incomplete_years(days: dict[date, bool]) -> list[Problem]:
    """One problem for each year of the file whose fixed statutory holidays are not all rest days."""
    problems = []
    for year in sorted({day.year for day in days}):
        missing = []
        for name, month_days in FIXED_HOLIDAYS:
            # A holiday on a weekend is a rest day unlisted; one on a weekday must be listed.
            unlisted = [
                date(year, month, day)
                for month, day in month_days
                if date(year, month, day).weekday() < 5 and days.get(date(year, month, day)) is not False
            ]
            if unlisted:
                missing.append(f"{name}（{'、'.join(f'{d.month}月{d.day}日' for d in unlisted)}）")
        if missing:
            problems.append(
                Problem(
                    f"{year}年的安排没有把{'、'.join(missing)}列为休息日，不是全年的节假日安排；"
                    f"载入全年安排会替换{year}年原有的全部节假日和调休"
                )
            )
    return problems
