"""Reading an administrator's schedule file: UTF-8 CSV with the header 日期,类型."""

import csv
import io
import re
from datetime import date

from core.problems import Problem, Rejected

HEADER = ["日期", "类型"]
KINDS = {"休息": False, "上班": True}
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def parse_calendar_csv(data: bytes) -> dict[date, bool]:
    """The listed days mapped to whether each is a workday; Rejected with every problem found."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Rejected([Problem("不是UTF-8编码，请另存为“CSV UTF-8”格式")]) from None
    rows = csv.reader(io.StringIO(text, newline=""))
    header = next(rows, None)
    if header is None or [cell.strip() for cell in header] != HEADER:
        raise Rejected([Problem("第1行表头应为「日期,类型」")])
    days: dict[date, bool] = {}
    first_rows: dict[date, int] = {}
    problems: list[Problem] = []
    for number, row in enumerate(rows, start=2):
        cells = [cell.strip() for cell in row]
        while cells and not cells[-1]:  # spreadsheets often leave trailing empty cells
            cells.pop()
        if not cells:
            continue
        if len(cells) != 2:
            problems.append(Problem("应有日期、类型两列", row=number))
            continue
        day = _parse_day(cells[0], number, problems)
        if cells[1] not in KINDS:
            problems.append(Problem("应为「休息」或「上班」", row=number, column="类型", value=cells[1]))
        if day is None:
            continue
        if day in first_rows:
            problems.append(Problem(f"与第{first_rows[day]}行重复", row=number, column="日期", value=cells[0]))
            continue
        first_rows[day] = number
        days[day] = KINDS.get(cells[1], False)
    if not problems and not days:
        problems.append(Problem("没有任何日期"))
    if problems:
        raise Rejected(problems)
    return days


def _parse_day(text: str, number: int, problems: list[Problem]) -> date | None:
    if not _ISO_DATE.fullmatch(text):
        problems.append(Problem("不是有效日期（格式应为YYYY-MM-DD）", row=number, column="日期", value=text))
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        problems.append(Problem("不是有效日期", row=number, column="日期", value=text))
        return None
