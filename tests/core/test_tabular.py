"""The generic table reader and cell parsers: real files, people-made shapes, hostile uploads."""

import csv
import io
import re
import zipfile
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook
from stdnum.cn import uscc
from stdnum.iso7064 import mod_11_2
from support import SAMPLE

from core.problems import Rejected
from core.tabular import formulas, safety
from core.tabular import (
    FORMULA_UNSAVED,
    TableSpec,
    check_uscc,
    neutralise_formula,
    open_table,
    parse_amount,
    parse_date,
    parse_digits,
    parse_id_number,
    parse_month,
    parse_text,
)

PEOPLE_MADE = SAMPLE / "people-made"

LEDGER = TableSpec(
    required=("村代码", "日期", "凭证号", "收支", "科目", "摘要", "金额"),
    optional=("对方单位", "关联编号"),
    amounts=("金额",),
    direction="收支",
)
SUBSIDIES = TableSpec(
    required=("村代码", "补贴项目", "发放年月", "姓名", "身份证号", "金额", "发放日期"),
    optional=("银行账号",),
    amounts=("金额",),
)
SMALL = TableSpec(required=("名称", "金额"), optional=("备注",), amounts=("金额",))
FLOWS = TableSpec(required=("收支", "金额"), amounts=("金额",), direction="收支")


# ---------- helpers ----------


def sample(name: str) -> Path:
    return PEOPLE_MADE / name


def read_sample(name: str, spec: TableSpec):
    path = sample(name)
    table = open_table(path.read_bytes(), name, spec)
    return table, list(table.rows())


def expected_errors(name: str) -> set[tuple[int, str]]:
    with sample("expected_errors.csv").open(encoding="utf-8-sig", newline="") as handle:
        return {(int(r["excel_row"]), r["column"]) for r in csv.DictReader(handle) if r["file"] == name}


def xlsx(rows, edit=None) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    if edit:
        edit(book)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def rewrite_sheet(data: bytes, change) -> bytes:
    """Rewrite the sheet XML, e.g. to give a formula the cached value Excel would have saved."""
    source, target = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                content = change(content)
            out.writestr(info.filename, content)
    return target.getvalue()


def patch_sheet(data: bytes, old: str, new: str) -> bytes:
    def replace(content: bytes) -> bytes:
        assert old.encode() in content
        return content.replace(old.encode(), new.encode())

    return rewrite_sheet(data, replace)


def csv_bytes(lines: list[str], encoding: str = "utf-8") -> bytes:
    return "\r\n".join(lines).encode(encoding) + b"\r\n"


def rejected(data, filename, spec=SMALL, **limits) -> list[str]:
    with pytest.raises(Rejected) as caught:
        open_table(data, filename, spec, **limits)
    return [str(problem) for problem in caught.value.problems]


def all_rows(data, filename, spec=SMALL, **limits):
    table = open_table(data, filename, spec, **limits)
    return table, list(table.rows())


# ---------- the people-made sample files ----------


def test_titled_ledger_with_correct_total_reads_clean():
    table, rows = read_sample("ledger_titled.xlsx", LEDGER)
    assert table.header_row == 4
    assert table.notices == [] and table.problems == []
    assert [row.number for row in rows] == list(range(5, 17))
    assert rows[0].cells["日期"] == datetime(2026, 9, 1)
    assert parse_amount(rows[2].cells["金额"], allow_zero=False) == Decimal("3166.67")
    assert rows[0].cells["关联编号"] is None


def test_gbk_csv_decodes_and_its_cells_parse():
    table, rows = read_sample("ledger_gbk.csv", LEDGER)
    assert table.columns[:3] == ["村代码", "日期", "凭证号"]
    assert len(rows) == 12 and rows[0].number == 2
    assert parse_date(rows[0].cells["日期"]) == date(2026, 9, 1)
    assert parse_amount(rows[0].cells["金额"], allow_zero=False) == Decimal("4536.00")
    assert rows[1].cells["对方单位"] == "县农商银行"
    total = sum(parse_amount(row.cells["金额"], allow_zero=False) for row in rows)
    assert total == Decimal("267739.67")


def test_bad_total_is_one_problem_where_expected_errors_says():
    table, rows = read_sample("ledger_badtotal.xlsx", LEDGER)
    assert len(rows) == 12
    assert {(p.row, p.column) for p in table.problems} == expected_errors("ledger_badtotal.xlsx")
    assert len(table.problems) == 1
    assert "合计与明细之和不符（明细合计 267,739.67）" in str(table.problems[0])


def test_bad_gbk_cells_fail_the_parsers_on_the_expected_rows():
    _, rows = read_sample("ledger_bad_gbk.csv", LEDGER)
    failed = set()
    for row in rows:
        for column, parse in (("日期", parse_date), ("金额", lambda v: parse_amount(v, allow_zero=False))):
            try:
                parse(row.cells[column])
            except ValueError:
                failed.add((row.number, column))
    expected = {(n, c) for n, c in expected_errors("ledger_bad_gbk.csv") if c in ("日期", "金额")}
    assert failed == expected == {(3, "日期"), (4, "金额"), (6, "金额")}


def test_bad_subsidies_cells_fail_the_parsers_on_the_expected_rows():
    _, rows = read_sample("subsidies_bad.xlsx", SUBSIDIES)
    failed = set()
    for row in rows:
        for column, parse in (("身份证号", parse_id_number), ("发放年月", parse_month)):
            try:
                parse(row.cells[column])
            except ValueError:
                failed.add((row.number, column))
    assert failed == expected_errors("subsidies_bad.xlsx")


# ---------- header, titles, units, notices ----------


def test_header_below_title_lines_and_rows_numbered_as_in_excel():
    data = xlsx(
        [
            ["青山村2026年10月公开表"],
            ["单位：元", None, "填报单位：青山村村委会"],
            [],
            ["名 称", "金　额"],
            ["甲", 100],
            [],
            ["乙", 200.5],
        ]
    )
    table, rows = all_rows(data, "t.xlsx")
    assert table.header_row == 4
    assert [(row.number, row.cells["名称"], row.cells["金额"]) for row in rows] == [(5, "甲", 100), (7, "乙", 200.5)]
    assert rows[0].cells["备注"] is None


def test_header_after_five_title_lines_is_found_but_not_after_six():
    titles = [[f"标题{i}"] for i in range(5)]
    assert all_rows(xlsx(titles + [["名称", "金额"], ["甲", 1]]), "t.xlsx")[0].header_row == 6
    problems = rejected(xlsx(titles + [["说明"], ["名称", "金额"]]), "t.xlsx")
    assert problems == ["文件：缺少必填列：名称、金额"]


def test_missing_required_column_names_it():
    assert rejected(xlsx([["名称", "数额"], ["甲", 1]]), "t.xlsx") == ["文件：缺少必填列：金额"]


def test_extra_column_is_a_notice_not_an_error():
    table, rows = all_rows(csv_bytes(["名称,金额,备注,经办人", "甲,5,x,张三"]), "t.csv")
    assert table.notices == ["提示：忽略了未知列「经办人」"]
    assert table.columns == ["名称", "金额", "备注", "经办人"]
    assert rows[0].cells == {"名称": "甲", "金额": "5", "备注": "x"}


def test_duplicate_column_is_rejected():
    assert rejected(csv_bytes(["名称,金额,金额", "甲,1,2"]), "t.csv") == ["文件：列「金额」重复"]


@pytest.mark.parametrize(
    "title",
    [
        "单位：万元",
        "单位:万元",
        "金额单位：千元",
        "（单位：万元）",
        "收入金额单位：百万元",
        "填报单位：青山村　单位：万元",
    ],
)
def test_unit_other_than_yuan_is_rejected(title):
    problems = rejected(xlsx([["公开表"], [title], ["名称", "金额"], ["甲", 1]]), "t.xlsx")
    assert len(problems) == 1 and "应为元" in problems[0] and problems[0].startswith("文件：")


@pytest.mark.parametrize("title", ["单位：元", "单位：人民币元", "填报单位：元宝村", "单位：青山村村委会"])
def test_yuan_or_an_organisation_is_not_a_unit_problem(title):
    table, _ = all_rows(xlsx([[title], ["名称", "金额"], ["甲", 1]]), "t.xlsx")
    assert table.header_row == 2


def test_unit_in_the_header_itself():
    assert all_rows(csv_bytes(["名称,金额（元）", "甲,1"]), "t.csv")[1][0].cells["金额"] == "1"
    assert "应为元" in rejected(csv_bytes(["名称,金额(万元)", "甲,1"]), "t.csv")[0]


# ---------- totals rows ----------


def test_totals_rows_are_never_data_and_are_checked():
    data = xlsx([["名称", "金额"], ["甲", 100], ["乙", "1,000.50"], ["合　计", 1100.5], ["总计", "1,100.50"]])
    table, rows = all_rows(data, "t.xlsx")
    assert [row.cells["名称"] for row in rows] == ["甲", "乙"]
    assert table.problems == []


def test_income_and_expense_totals_sum_their_own_rows():
    data = csv_bytes(["收支,金额", "收入,100", "支出,30", "收入,50", "收入合计,150", "支出合计,31", "合计,180"])
    table, rows = all_rows(data, "t.csv", FLOWS)
    assert len(rows) == 3
    assert [str(p) for p in table.problems] == ["第6行 金额「31」：合计与明细之和不符（明细合计 30.00）"]


def test_unparseable_data_amount_is_left_out_of_the_sum_and_bad_total_reported():
    data = csv_bytes(["名称,金额", "甲,abc", "乙,10", "小计,10", "合计,十元"])
    table, _ = all_rows(data, "t.csv")
    assert [str(p) for p in table.problems] == ["第5行 金额「十元」：合计不是有效金额"]


# ---------- formulas ----------


def test_formula_without_saved_result_is_reported_once_on_its_cell():
    table, rows = all_rows(xlsx([["名称", "金额"], ["甲", "=1+1"], ["乙", 3]]), "t.xlsx")
    assert [(p.row, p.column, p.reason) for p in table.problems] == [(2, "金额", FORMULA_UNSAVED)]
    assert rows[0].reported == {"金额"} and rows[0].cells["金额"] is None
    assert rows[1].reported == frozenset()


def test_row_of_only_unsaved_formulas_is_still_a_row():
    table, rows = all_rows(xlsx([["名称", "金额"], ["=A1", "=1+1"]]), "t.xlsx")
    assert [(row.number, row.reported) for row in rows] == [(2, {"名称", "金额"})]
    assert len(table.problems) == 2


def test_sum_total_with_saved_result_is_fine_and_without_is_reported():
    data = xlsx([["名称", "金额"], ["甲", 100], ["乙", 200], ["合计", "=SUM(B2:B3)"]])
    table, _ = all_rows(data, "t.xlsx")
    assert [(p.row, p.column, p.value) for p in table.problems] == [(4, "金额", "=SUM(B2:B3)")]
    saved = patch_sheet(data, "<f>SUM(B2:B3)</f><v />", "<f>SUM(B2:B3)</f><v>300</v>")
    table, rows = all_rows(saved, "t.xlsx")
    assert len(rows) == 2 and table.problems == []


def test_formula_that_evaluated_to_empty_text_is_a_saved_result():
    data = patch_sheet(
        xlsx([["名称", "金额", "备注"], ["甲", 1, '=""']]),
        '<c r="C2"><f>""</f><v /></c>',
        '<c r="C2" t="str"><f>""</f><v></v></c>',
    )
    table, rows = all_rows(data, "t.xlsx")
    assert table.problems == [] and rows[0].cells["备注"] is None


@pytest.mark.parametrize("chunk", [5, 64, 1024 * 1024])
def test_unsaved_formulas_are_found_across_chunk_boundaries(monkeypatch, chunk):
    monkeypatch.setattr(formulas, "_CHUNK", chunk)
    rows = [["名称", "金额", "备注"]]
    rows += [[f"人{i}", f"=ROW()*{i}", '="x"&A1' if i % 3 == 0 else None] for i in range(1, 80)]

    def save_even_rows(content: bytes) -> bytes:
        # Excel would have saved results; give them to the 金额 cells of even rows only.
        pattern = rb'(<c r="B(\d+)"><f>[^<]*</f>)<v />'
        return re.sub(pattern, lambda m: m[1] + b"<v>5</v>" if int(m[2]) % 2 == 0 else m[0], content)

    table, rows_read = all_rows(rewrite_sheet(xlsx(rows), save_even_rows), "t.xlsx")
    expected = {(n, "金额") for n in range(3, 81, 2)} | {(i + 1, "备注") for i in range(3, 80, 3)}
    assert {(p.row, p.column) for p in table.problems} == expected
    assert len(table.problems) == len(expected)
    assert next(p.value for p in table.problems if p.row == 4 and p.column == "备注") == '="x"&A1'
    assert rows_read[0].cells["金额"] == 5 and rows_read[0].reported == frozenset()
    assert rows_read[1].cells["金额"] is None and rows_read[1].reported == {"金额"}


def test_text_beginning_with_equals_is_data():
    def as_text(book):
        cell = book.active["A2"]
        cell.value = "=abc"
        cell.data_type = "s"

    table, rows = all_rows(xlsx([["名称", "金额"], [None, 1]], as_text), "t.xlsx")
    assert rows[0].cells["名称"] == "=abc" and table.problems == []
    assert all_rows(csv_bytes(["名称,金额", "=1+1,2"]), "t.csv")[1][0].cells["名称"] == "=1+1"


# ---------- encodings and file types ----------


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_encodings(encoding):
    lines = ["青山村公开表,", "名称,金额", "", '张三,"￥1,234.50"', "合计,1234.5"]
    table, rows = all_rows(csv_bytes(lines, encoding), "t.csv")
    assert table.header_row == 2 and table.columns == ["名称", "金额"]
    assert [(row.number, row.cells["名称"]) for row in rows] == [(4, "张三")]
    assert parse_amount(rows[0].cells["金额"], allow_zero=False) == Decimal("1234.50")
    assert table.problems == []


def test_csv_with_nul_bytes_or_undecodable_bytes_is_rejected():
    assert "空字符" in rejected("名称,金额\n".encode("utf-16"), "t.csv")[0]
    assert rejected(b"a,b\n\xff\xff\xff\n", "t.csv") == ["文件：无法识别文件编码，请另存为UTF-8或GBK编码的CSV"]


def test_png_renamed_csv_is_not_a_table():
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    assert rejected(png, "名单.csv") == ["文件：文件不是表格，只能上传Excel（.xlsx）或CSV文件"]


def test_old_xls_asks_for_xlsx_or_csv():
    problems = rejected(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504, "ledger.xls")
    assert "另存为.xlsx或CSV" in problems[0]


def test_html_saved_as_xls_and_unknown_extension_are_rejected():
    assert "不是Excel工作簿" in rejected(b"<html><table></table></html>", "export.xls")[0]
    assert "只能上传" in rejected(b"name,amount\n", "notes.doc")[0]


def test_zip_that_is_not_a_workbook_is_rejected():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w/>")
    assert "不是有效的Excel工作簿" in rejected(buffer.getvalue(), "t.xlsx")[0]
    assert "不是有效的Excel工作簿" in rejected(b"PK\x03\x04garbage", "t.xlsx")[0]


def test_zip_bomb_is_refused_from_declared_sizes():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\x00" * (8 * 1024 * 1024))
    data = buffer.getvalue()
    assert len(data) < 100_000
    problems = rejected(data, "bomb.xlsx")
    assert len(problems) == 1 and "解压后过大" in problems[0]


def test_zip_over_the_total_unpacked_size_is_refused():
    data = xlsx([["名称", "金额"], ["甲", 1]])
    safety.check_zip(io.BytesIO(data))
    with pytest.raises(Rejected, match="1处错误") as caught:
        safety.check_zip(io.BytesIO(data), max_total=2000)
    assert "解压后过大" in str(caught.value.problems[0])


def test_file_over_the_byte_limit_is_rejected():
    data = csv_bytes(["名称,金额"] + ["甲,1"] * 100)
    assert rejected(data, "t.csv", max_bytes=100) == ["文件：文件超过100字节上限"]


def test_file_like_objects_are_accepted():
    data = csv_bytes(["名称,金额", "甲,1"])

    class Unseekable(io.RawIOBase):
        def __init__(self):
            self.inner = io.BytesIO(data)

        def readable(self):
            return True

        def readinto(self, buffer):
            return self.inner.readinto(buffer)

    for stream in (io.BytesIO(data), Unseekable()):
        assert [row.cells["名称"] for row in all_rows(stream, "t.csv")[1]] == ["甲"]


# ---------- limits and streaming ----------


def test_row_limit_counts_data_rows_only():
    lines = ["名称,金额", "甲,1", "", "乙,2", "丙,3", "合计,6"]
    assert len(all_rows(csv_bytes(lines), "t.csv", max_rows=3)[1]) == 3
    table = open_table(csv_bytes(lines[:-1] + ["丁,4"]), "t.csv", SMALL, max_rows=3)
    with pytest.raises(Rejected) as caught:
        list(table.rows())
    assert [str(p) for p in caught.value.problems] == ["文件：行数超过上限3行"]


def test_rows_stream_lazily_and_only_once():
    data = xlsx([["名称", "金额"]] + [[f"人{i}", i] for i in range(1, 2001)])
    table = open_table(data, "t.xlsx", SMALL)
    rows = table.rows()
    assert next(rows).number == 2
    rows.close()
    with pytest.raises(RuntimeError):
        list(table.rows())


def test_other_sheets_with_content_get_a_notice():
    def second_sheet(book):
        book.create_sheet("说明")["B3"] = "填表说明"
        book.create_sheet("空表")

    table, _ = all_rows(xlsx([["名称", "金额"], ["甲", 1]], second_sheet), "t.xlsx")
    assert table.notices == ["提示：只读取了第一个工作表「Sheet」，忽略了工作表「说明」"]


# ---------- cell parsers ----------


@pytest.mark.parametrize(
    "value",
    [
        "2026-10-05",
        "2026/10/5",
        "2026.10.05",
        "2026年10月5日",
        "2026 年 10 月 5 日",
        "２０２６－１０－０５",
        "2026/10/5 0:00",
        datetime(2026, 10, 5),
        date(2026, 10, 5),
    ],
)
def test_parse_date_accepts(value):
    assert parse_date(value) == date(2026, 10, 5)


@pytest.mark.parametrize(
    "value", ["2026-02-30", "2026-13-01", "2026-10/05", "20261005", "10/05/2026", 46300, 46300.0, "明天"]
)
def test_parse_date_rejects(value):
    with pytest.raises(ValueError, match="不是有效日期"):
        parse_date(value)


@pytest.mark.parametrize(
    "value",
    [
        "2026-10",
        "2026/10",
        "2026.10",
        "2026年10月",
        "2026年 10 月",
        "2026-10-01",
        datetime(2026, 10, 1),
        date(2026, 10, 1),
    ],
)
def test_parse_month_accepts(value):
    assert parse_month(value) == "2026-10"


@pytest.mark.parametrize("value", ["202610", "2026-13", "2026-00", "10月", "2026-10-05", 202610, 2026.1])
def test_parse_month_rejects(value):
    with pytest.raises(ValueError, match="年月"):
        parse_month(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1234.5, "1234.50"),
        (100, "100.00"),
        (0.1 + 0.2, "0.30"),
        ("1234.5", "1234.50"),
        ("1,234.50", "1234.50"),
        ("¥1,234.50", "1234.50"),
        ("￥1,234.50", "1234.50"),
        ("１，２３４．５０", "1234.50"),
        (" 12 ", "12.00"),
        ("1234.500", "1234.50"),
        (Decimal("7.1"), "7.10"),
    ],
)
def test_parse_amount_accepts(value, expected):
    assert parse_amount(value, allow_zero=False) == Decimal(expected)
    assert str(parse_amount(value, allow_zero=False)) == expected


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("12.345", "最多两位小数"),
        (0.125, "最多两位小数"),
        ("abc", "不是有效金额"),
        ("1,23.4", "不是有效金额"),
        ("1234,50", "不是有效金额"),
        ("1e5", "不是有效金额"),
        (True, "不是有效金额"),
        (float("nan"), "不是有效金额"),
        ("0", "金额必须大于0"),
        ("-50.00", "金额必须大于0"),
        ("1000000000000", "金额过大"),
        (None, "不能为空"),
    ],
)
def test_parse_amount_rejects(value, reason):
    with pytest.raises(ValueError, match=reason):
        parse_amount(value, allow_zero=False)


@pytest.mark.parametrize("value", [1e300, -1e30, 10**40, "1" * 40, "-" + "9" * 30 + ".5", Decimal("1e40")])
def test_a_number_too_large_to_hold_to_the_cent_is_refused_not_a_crash(value):
    # Rounding such a number to cents raised decimal.InvalidOperation, which no importer catches (a 500).
    with pytest.raises(ValueError, match="金额过大"):
        parse_amount(value, allow_zero=False)


def test_a_huge_amount_in_a_spreadsheet_is_a_problem_of_its_cell():
    table, rows = all_rows(xlsx([["名称", "金额"], ["甲", 1e300], ["合计", 1e300]]), "t.xlsx")
    assert [row.cells["名称"] for row in rows] == ["甲"]
    assert [p.reason for p in table.problems] == ["合计不是有效金额"]


def test_parse_amount_zero_allowed_but_not_negative():
    assert parse_amount("0", allow_zero=True) == Decimal("0.00")
    with pytest.raises(ValueError, match="金额不能为负数"):
        parse_amount(-1, allow_zero=True)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("629901101201", "629901101201"),
        (629901101201, "629901101201"),
        (629901101201.0, "629901101201"),
        (" 6228 1343 3422 ", "622813433422"),
    ],
)
def test_parse_digits_undoes_excel_numbers(value, expected):
    assert parse_digits(value, 12) == expected


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (6.228134334229042e18, "截断"),
        ("6.22813E+18", "截断"),
        (1234.5, "截断"),
        ("62990110120A", "应为数字"),
        ("62990110120", "应为12位数字"),
    ],
)
def test_parse_digits_rejects(value, reason):
    with pytest.raises(ValueError, match=reason):
        parse_digits(value, 12)


def test_parse_digits_length_range():
    assert parse_digits("6228134334229042052", (12, 19)) == "6228134334229042052"
    with pytest.raises(ValueError, match="12–19位"):
        parse_digits("62281343342", (12, 19))


def with_check_digit(first17: str) -> str:
    return first17 + mod_11_2.calc_check_digit(first17)


def test_parse_id_number_accepts_x_and_unlisted_area_codes():
    assert parse_id_number("62990119901204372X") == "62990119901204372X"
    assert parse_id_number(" 62990119901204372x ") == "62990119901204372X"
    unknown_area = with_check_digit("99999919800101001")
    assert parse_id_number(unknown_area) == unknown_area


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("62990119901204372", "身份证号应为18位"),
        ("629901199012043721", "身份证号校验位错误"),
        (with_check_digit("62990119990231189"), "出生日期无效"),
        (with_check_digit("62990118891231123"), "出生日期无效"),
        (6.29901197101246e17, "截断"),
        ("6.29901E+17", "截断"),
        ("62990119901204372Y", "末位可以是X"),
    ],
)
def test_parse_id_number_rejects(value, reason):
    with pytest.raises(ValueError, match=reason):
        parse_id_number(value)


def test_parse_id_number_rejects_a_birth_date_in_the_future():
    tomorrow = date.today() + timedelta(days=2)
    with pytest.raises(ValueError, match="出生日期无效"):
        parse_id_number(with_check_digit("629901" + tomorrow.strftime("%Y%m%d") + "123"))


def test_check_uscc_check_character_is_a_warning_only():
    valid = "91350100M000100Y4" + uscc.calc_check_digit("91350100M000100Y4")
    assert check_uscc(valid.lower()) == (valid, None)
    wrong = valid[:-1] + ("0" if valid[-1] != "0" else "1")
    assert check_uscc(wrong) == (wrong, "统一社会信用代码校验位不符，请核对")


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("91350100M000100Y4", "应为18位"),
        ("9135010OM000100Y43", "格式错误"),
        ("91350100I000100Y43", "格式错误"),
    ],
)
def test_check_uscc_rejects_malformed_codes(value, reason):
    with pytest.raises(ValueError, match=reason):
        check_uscc(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, ""),
        ("  村道维修\u3000", "村道维修"),
        (12, "12"),
        (4536.0, "4536"),
        (date(2026, 1, 2), "2026-01-02"),
    ],
)
def test_parse_text(value, expected):
    assert parse_text(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("x")', '\'=HYPERLINK("x")'),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("村道维修", "村道维修"),
        ("", ""),
    ],
)
def test_neutralise_formula(value, expected):
    assert neutralise_formula(value) == expected
