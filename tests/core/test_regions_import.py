import io

import openpyxl
import pytest
from support import SAMPLE
from sqlalchemy import func, select

from core.audit import AuditEntry
from core.extensions import db
from core.problems import Rejected
from core.regions.importer import import_regions
from core.regions.models import Region

HEADER = "代码,名称,级别,上级代码\n"
COUNTY = "629901000000,青川县,县,\n"
TOWNSHIP = "629901101000,黄大镇,乡镇,629901000000\n"


def count() -> int:
    return db.session.scalar(select(func.count()).select_from(Region))


def csv_bytes(*lines: str, encoding="utf-8") -> bytes:
    return (HEADER + "".join(lines)).encode(encoding)


def test_sample_file_imports(app):
    summary = import_regions((SAMPLE / "regions.csv").read_bytes(), "regions.csv")
    assert (summary.added, summary.renamed, summary.unchanged) == (12, 0, 0)
    village = db.session.get(Region, "629901101201")
    assert village.parent.parent.name == "青川县" and village.initials == "bdc"


def test_people_made_xlsx_with_title_lines_and_numeric_codes(app):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["青川县行政区划表"])
    sheet.append(["制表：县民政局"])
    sheet.append(["代码", "名称", "级别", "上级代码", "备注"])
    sheet.append([629901000000, "青川县", "县", None, None])
    sheet.append([629901101000, "黄大镇", "乡镇", 629901000000, "新设"])
    sheet.append([629901101201, "坝店村", "村", 629901101000, None])
    buffer = io.BytesIO()
    book.save(buffer)
    summary = import_regions(buffer.getvalue(), "区划.xlsx")
    assert summary.added == 3 and any("备注" in notice for notice in summary.notices)
    assert db.session.get(Region, "629901101201").parent_code == "629901101000"


def test_gbk_csv_imports(app):
    summary = import_regions(csv_bytes(COUNTY, TOWNSHIP, encoding="gbk"), "regions.csv")
    assert summary.added == 2 and db.session.get(Region, "629901101000").name == "黄大镇"


@pytest.mark.parametrize(
    "line,column,reason",
    [
        ("629901101201,坝店村,村,629901101999\n", "上级代码", "不存在"),
        ("629901101201,坝店村,村,629901000000\n", "上级代码", "上级应为乡镇级区划"),
        ("629901101201,坝店村,乡镇,629901000000\n", "代码", "代码不符合乡镇级代码的格式"),
        ("62990110120,坝店村,村,629901101000\n", "代码", "12"),
        ("629901101201,坝店村,镇,629901101000\n", "级别", "级别应为"),
        ("629901101201,,村,629901101000\n", "名称", "名称不能为空"),
        ("629901101201,坝店村,村,\n", "上级代码", "上级代码不能为空"),
        ("629902101201,坝店村,村,629901101000\n", "上级代码", "代码与上级代码不对应"),
    ],
)
def test_bad_row_is_reported_and_nothing_imported(app, line, column, reason):
    with pytest.raises(Rejected) as caught:
        import_regions(csv_bytes(COUNTY, TOWNSHIP, line), "regions.csv")
    [problem] = caught.value.problems
    assert (problem.row, problem.column) == (4, column)
    assert reason in problem.reason
    assert str(problem).startswith(f"第4行 {column}「")
    assert count() == 0


def test_duplicate_code_is_an_error_on_the_later_row(app):
    with pytest.raises(Rejected) as caught:
        import_regions(csv_bytes(COUNTY, TOWNSHIP, "629901101000,黄小镇,乡镇,629901000000\n"), "r.csv")
    assert [(p.row, p.column) for p in caught.value.problems] == [(4, "代码")]
    assert count() == 0


def test_every_bad_row_is_reported_at_once(app):
    with pytest.raises(Rejected) as caught:
        import_regions(csv_bytes(COUNTY, "bad,黄大镇,乡镇,629901000000\n", "629901101201,,村,x\n"), "r.csv")
    assert [p.row for p in caught.value.problems] == [3, 4]


def test_missing_column_rejects_the_file(app):
    with pytest.raises(Rejected) as caught:
        import_regions("代码,名称\n629901000000,青川县\n".encode(), "r.csv")
    assert caught.value.problems[0].row is None and "级别" in caught.value.problems[0].reason


def test_reimport_unchanged_is_noop_and_rename_is_audited(app):
    import_regions(csv_bytes(COUNTY, TOWNSHIP), "r.csv")
    again = import_regions(csv_bytes(COUNTY, TOWNSHIP), "r.csv")
    assert (again.added, again.renamed, again.unchanged) == (0, 0, 2)
    renamed = import_regions(csv_bytes(COUNTY, "629901101000,黄大街道,乡镇,629901000000\n"), "r.csv")
    assert renamed.renamed == 1
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "region.rename"))
    assert entry.detail_dict == {"before": "黄大镇", "after": "黄大街道"}
    assert db.session.get(Region, "629901101000").pinyin == "huangdajiedao"


def test_parent_may_come_from_the_database(app):
    import_regions(csv_bytes(COUNTY, TOWNSHIP), "r.csv")
    assert import_regions(csv_bytes("629901101201,坝店村,村,629901101000\n"), "r.csv").added == 1


def test_cli_import_success_and_rejection(cli, tmp_path):
    good = tmp_path / "good.csv"
    good.write_bytes(csv_bytes(COUNTY, TOWNSHIP))
    result = cli.invoke(args=["regions", "import", str(good)])
    assert result.exit_code == 0 and "新增2个" in result.stdout
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes("629901101201,坝店村,村,629901101999\n"))
    result = cli.invoke(args=["regions", "import", str(bad)])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "第2行 上级代码「629901101999」：上级代码在系统和本文件中都不存在",
        "共1处错误",
    ]


def test_existing_region_cannot_move_to_another_parent(app):
    import_regions(
        csv_bytes(COUNTY, TOWNSHIP, "629901102000,白水乡,乡镇,629901000000\n", "629901101201,坝店村,村,629901101000\n"),
        "r.csv",
    )
    with pytest.raises(Rejected) as caught:
        import_regions(csv_bytes("629901101201,坝店村,村,629901102000\n"), "r.csv")
    assert "上级" in caught.value.problems[0].reason
