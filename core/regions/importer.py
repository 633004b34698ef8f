"""Import of the `regions` template (docs/import-templates.md): all rows checked, nothing stored on any error."""

from dataclasses import dataclass
from typing import BinaryIO

from sqlalchemy import select

from core.audit import record_audit
from core.extensions import db
from core.partitions import county_of, make_county_partitions
from core.problems import Problem, Rejected
from core.regions.codes import level_of_code, parent_level
from core.regions.models import Level, Region
from core.regions.pinyin import pinyin_keys
from core.tabular import Row, TableSpec, open_table, parse_digits, parse_text

SPEC = TableSpec(required=("代码", "名称", "级别"), optional=("上级代码",))
LEVEL_WORDS = {
    "县": Level.COUNTY,
    "乡镇": Level.TOWNSHIP,
    "街道": Level.TOWNSHIP,
    "村": Level.VILLAGE,
    "社区": Level.VILLAGE,
}


@dataclass(frozen=True)
class RegionRow:
    number: int
    code: str
    name: str
    level: Level
    parent_code: str | None


@dataclass(frozen=True)
class RegionImportSummary:
    added: int
    renamed: int
    unchanged: int
    notices: list[str]

    def line(self) -> str:
        return f"行政区划导入完成：新增{self.added}个，更名{self.renamed}个，未变{self.unchanged}个"


def _parse_row(row: Row, problems: list[Problem]) -> RegionRow | None:
    """Check one row's own cells; None (with problems added) when any is bad."""
    found = len(problems)
    cells = row.cells

    def bad(column: str, reason: str) -> None:
        problems.append(Problem(reason, row.number, column, parse_text(cells.get(column))))

    try:
        code = parse_digits(cells["代码"], 12)
    except ValueError as error:
        bad("代码", str(error))
        code = None
    name = parse_text(cells["名称"])
    if not name:
        bad("名称", "名称不能为空")
    level = LEVEL_WORDS.get(parse_text(cells["级别"]))
    if level is None:
        bad("级别", "级别应为 县、乡镇 或 村")
    elif code is not None and level_of_code(code) != level:
        bad("代码", f"代码不符合{level.label}级代码的格式")
    parent = parse_text(cells.get("上级代码")) or None
    if len(problems) > found:
        return None
    return RegionRow(row.number, code, name, level, parent)


def _check_parent(item: RegionRow, known: dict[str, str], problems: list[Problem]) -> None:
    """The parent exists (in the database or the file), one level up, and prefixes the code."""
    expected = parent_level(item.level)
    if expected is None:
        if item.parent_code:
            problems.append(Problem("县级区划不应填写上级代码", item.number, "上级代码", item.parent_code))
        return
    reason = None
    if not item.parent_code:
        reason = "上级代码不能为空"
    elif item.parent_code not in known:
        reason = "上级代码在系统和本文件中都不存在"
    elif known[item.parent_code] != expected:
        reason = f"上级应为{expected.label}级区划"
    elif not item.code.startswith(item.parent_code[: expected.prefix_length]):
        reason = "代码与上级代码不对应"
    if reason:
        problems.append(Problem(reason, item.number, "上级代码", item.parent_code))


def _read(data: bytes | BinaryIO, filename: str, max_rows: int) -> tuple[list[RegionRow], list[str]]:
    table = open_table(data, filename, SPEC, max_rows=max_rows)
    problems: list[Problem] = []
    items: list[RegionRow] = []
    seen: set[str] = set()
    for row in table.rows():
        item = _parse_row(row, problems)
        if item is None:
            continue
        if item.code in seen:
            problems.append(Problem("代码在本文件中重复", row.number, "代码", item.code))
            continue
        seen.add(item.code)
        items.append(item)
    existing = {
        code: (Level(level), parent)
        for code, level, parent in db.session.execute(select(Region.code, Region.level, Region.parent_code))
    }
    known = {code: level for code, (level, _) in existing.items()} | {i.code: i.level for i in items}
    for item in items:
        _check_parent(item, known, problems)
        if item.code in existing and existing[item.code][0] != item.level:
            problems.append(Problem("已有区划的级别不能改变", item.number, "级别", item.level.label))
        elif item.code in existing and existing[item.code][1] != item.parent_code:
            problems.append(Problem("已有区划的上级不能改变", item.number, "上级代码", item.parent_code))
    problems.extend(table.problems)
    if problems:
        raise Rejected(sorted(problems, key=lambda p: p.row or 0))
    return items, table.notices


def import_regions(data: bytes | BinaryIO, filename: str, *, max_rows: int = 100_000) -> RegionImportSummary:
    """Add new regions and rename changed ones in one transaction; raise Rejected on any bad row.
    On PostgreSQL the counties named then get their partitions (core/partitions.py) in a second."""
    items, notices = _read(data, filename, max_rows)
    added = renamed = 0
    # Parents before children, so foreign keys hold at every flush.
    for item in sorted(items, key=lambda i: (i.level != Level.COUNTY, i.level != Level.TOWNSHIP)):
        region = db.session.get(Region, item.code)
        if region is None:
            full, initials = pinyin_keys(item.name)
            db.session.add(
                Region(
                    code=item.code,
                    name=item.name,
                    level=item.level,
                    parent_code=item.parent_code,
                    pinyin=full,
                    initials=initials,
                )
            )
            added += 1
        elif region.name != item.name:
            record_audit(
                "region.rename",
                target_type="region",
                target_id=region.code,
                detail={"before": region.name, "after": item.name},
            )
            region.name = item.name
            region.pinyin, region.initials = pinyin_keys(item.name)
            renamed += 1
    if added:
        record_audit("region.import", target_type="region", detail={"added": added, "file": filename})
    db.session.commit()
    # On PostgreSQL a county's disclosed rows get partitions of their own before any is uploaded.
    make_county_partitions(filter(None, (county_of(item.code) for item in items)))
    return RegionImportSummary(added, renamed, len(items) - added - renamed, notices)
