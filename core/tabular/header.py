"""Finding the header row below a file's title lines, and the unit those lines declare."""

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from core.problems import Problem, Rejected
from core.tabular.cells import normalise

# docs/import-templates.md: up to 5 title lines, so the header is one of the first 6 rows.
HEADER_SCAN_ROWS = 6

_SPACES = re.compile(r"\s+")
# 单位：万元, 金额单位:千元 … but 填报单位：青山村 names an organisation: only a money unit counts.
_UNIT_DECLARED = re.compile(r"单位\s*[:：]\s*([^\s,，;；、)）]+)")
_MONEY_UNIT = re.compile(r"(?:人民币)?([十百千万亿]*元)(?:人民币)?")
# 金额（元） is a common way to write the header itself; 金额（万元） declares a unit.
_HEADER_UNIT = re.compile(r"(.+?)[（(](?:单位[:：])?(?:人民币)?([十百千万亿]*元)[)）]")


@dataclass(frozen=True)
class Header:
    """Where the header is and which column index holds each known column."""

    number: int
    position: int
    names: list[str]
    index: dict[str, int]
    notices: list[str] = field(default_factory=list)


def unit_problem(unit: str) -> Problem:
    """The file problem for amounts declared in a unit other than 元."""
    return Problem(f"金额单位应为元，文件中写的是「{unit}」，请把金额换算成元后再上传")


def _title_units(values: Sequence[object]) -> list[Problem]:
    problems = []
    for value in values:
        if not isinstance(value, str):
            continue
        for declared in _UNIT_DECLARED.findall(normalise(value)):
            money = _MONEY_UNIT.fullmatch(declared)
            if money and money.group(1) != "元":
                problems.append(unit_problem(money.group(1)))
    return problems


def header_name(value: object) -> tuple[str, str | None]:
    """A header cell as a column name (spaces and a （元） suffix dropped) and any non-元 unit it declares."""
    if value is None:
        return "", None
    # A byte-order mark can survive into the first header cell of a GB18030 file.
    name = _SPACES.sub("", str(value)).replace("\ufeff", "").lstrip("*＊")
    suffixed = _HEADER_UNIT.fullmatch(name)
    if suffixed is None:
        return name, None
    unit = suffixed.group(2)
    return suffixed.group(1), (unit if unit != "元" else None)


def _names(values: Sequence[object]) -> list[str]:
    return [header_name(value)[0] for value in values]


def _missing(rows: Sequence[tuple[int, Sequence[object]]], required: Sequence[str]) -> Problem:
    best: list[str] = list(required)
    for _, values in rows:
        names = set(_names(values))
        missing = [column for column in required if column not in names]
        if len(missing) < len(best):
            best = missing
    return Problem("缺少必填列：" + "、".join(best))


def _index(names: list[str], known: Sequence[str]) -> tuple[dict[str, int], list[str], list[Problem]]:
    index: dict[str, int] = {}
    notices, problems = [], []
    for position, name in enumerate(names):
        if name in known and name in index:
            problems.append(Problem(f"列「{name}」重复"))
        elif name in known:
            index[name] = position
        elif name:
            notices.append(f"提示：忽略了未知列「{name}」")
    return index, notices, problems


def find_header(
    rows: Sequence[tuple[int, Sequence[object]]], required: Sequence[str], optional: Sequence[str]
) -> Header:
    """The first of the first rows holding every required column; raise Rejected if none or units are wrong."""
    for position, (number, values) in enumerate(rows[:HEADER_SCAN_ROWS]):
        names = _names(values)
        if not all(column in names for column in required):
            continue
        problems = [problem for _, title in rows[:position] for problem in _title_units(title)]
        problems += [unit_problem(unit) for value in values if (unit := header_name(value)[1])]
        index, notices, duplicates = _index(names, [*required, *optional])
        if problems or duplicates:
            raise Rejected(problems + duplicates)
        return Header(number, position, names, index, notices)
    raise Rejected([_missing(rows[:HEADER_SCAN_ROWS], required)])
