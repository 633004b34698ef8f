"""What Excel does to cells before the importer sees them: numbers cut to 15 significant digits,
and the Chinese built-in date formats that a file names only by number."""

import io
from datetime import date, datetime

import pytest
from openpyxl import Workbook
from support import rewrite_xlsx_part

from core import tabular
from core.tabular import TableSpec, cell_text, open_table, parse_digits, parse_id_number

DATES = TableSpec(required=("名称", "日期"))
# A valid ID whose last three digits are 000: what Excel leaves of 62990119710124xyz when the
# check digit happens to fit (1 time in 11), so nothing but the zeros gives it away.
FITTING = "629901197101242000"
# 629901197101246634 as Excel keeps it: the check digit no longer fits.
CUT = "629901197101246000"
# Chinese Excel's built-in number formats with no format code in the file (ECMA-376 18.8.30):
# 27–31, 36, 50–54, 57, 58 dates such as yyyy"年"m"月"d"日"; 32–35, 55, 56 times of day.
EAST_ASIAN_DATE_IDS = [*range(27, 37), *range(50, 59)]


def in_builtin_format(rows: list[list], cell: str, format_id: int) -> bytes:
    """A real .xlsx of `rows` whose `cell` uses built-in number format `format_id` as Chinese
    Excel saves it: the style names the id, and no <numFmt> gives its code."""
    book = Workbook()
    for row in rows:
        book.active.append(row)
    book.active[cell].number_format = "mm-dd-yy"  # built-in 14, which openpyxl writes by id alone
    buffer = io.BytesIO()
    book.save(buffer)

    def renumber(styles: bytes) -> bytes:
        assert b"<numFmt " not in styles and styles.count(b'numFmtId="14"') == 1
        return styles.replace(b'numFmtId="14"', f'numFmtId="{format_id}"'.encode())

    return rewrite_xlsx_part(buffer.getvalue(), "xl/styles.xml", renumber)


def read_date_cell(data: bytes) -> object:
    table = open_table(data, "账.xlsx", DATES)
    [row] = list(table.rows())
    return row.cells["日期"]


def dated(format_id: int) -> bytes:
    return in_builtin_format([["名称", "日期"], ["办公用品", 46275]], "B2", format_id)


# ---------- built-in Chinese date formats ----------


@pytest.mark.parametrize("format_id", EAST_ASIAN_DATE_IDS)
def test_chinese_builtin_date_formats_are_read_as_dates(format_id):
    assert read_date_cell(dated(format_id)) == datetime(2026, 9, 10)


@pytest.mark.parametrize("format_id", [0, 1, 2, 49])
def test_other_builtin_formats_stay_numbers(format_id):
    assert read_date_cell(dated(format_id)) == 46275


def test_a_custom_format_reusing_an_east_asian_id_is_judged_by_its_code():
    def own_code(styles: bytes) -> bytes:
        # The file gives id 31 a code of its own: a plain number format, not a date.
        assert b'<numFmts count="0" />' in styles
        return styles.replace(
            b'<numFmts count="0" />', b'<numFmts count="1"><numFmt numFmtId="31" formatCode="0.00"/></numFmts>'
        )

    assert read_date_cell(rewrite_xlsx_part(dated(31), "xl/styles.xml", own_code)) == 46275


def test_ledger_upload_with_a_yyyy_nian_m_yue_d_ri_date_cell(app, township_tree):
    from disclosures.importers import validate_upload
    from disclosures.models import Kind

    data = in_builtin_format(
        [
            ["村代码", "日期", "凭证号", "收支", "科目", "摘要", "金额"],
            ["629901101201", 46275, "记-1", "支出", "管理费用", "办公用品", "12.50"],
        ],
        "B2",
        31,
    )
    upload = validate_upload(Kind.LEDGER, data, "收支.xlsx", villages=None)
    [row] = upload.batches[0].rows
    assert row["entry_on"] == date(2026, 9, 10) and upload.batches[0].period == "2026-09"


# ---------- numbers Excel cut to 15 significant digits ----------


@pytest.mark.parametrize(
    "value",
    [
        int(FITTING),  # an 18-digit integer in the sheet XML: over 2**53, cannot be exact
        float(FITTING),  # the same as Excel writes it, 6.29901197101242E+17
        int(CUT),
        float(CUT),
    ],
)
def test_an_id_number_saved_as_a_number_is_refused_as_truncated(value):
    with pytest.raises(ValueError, match="截断") as caught:
        parse_id_number(value)
    assert "6.29901E+17" in str(caught.value)  # how the cell shows it in General format


def test_a_cut_id_number_in_text_is_called_truncated_not_a_wrong_check_digit():
    with pytest.raises(ValueError, match="截断"):
        parse_id_number(CUT)  # a CSV saved from a number column formatted as 0


def test_a_valid_id_ending_in_000_is_kept_with_a_warning_to_confirm():
    number, warning = tabular.check_id_number(FITTING)
    assert number == FITTING and "截断" in warning
    assert tabular.check_id_number("629901197101246634") == ("629901197101246634", None)


@pytest.mark.parametrize("value", [6228480402564890, 6228480402564890.0, 622848040256489000.0, 6228480402564890018])
def test_long_digit_codes_saved_as_numbers_are_refused(value):
    # 16 digits fit below 2**53, but Excel has already replaced the 16th by a zero.
    with pytest.raises(ValueError, match="截断"):
        parse_digits(value, (12, 19))


def test_a_sixteen_digit_number_excel_could_not_have_made_is_exact():
    # A 16th digit that is not zero did not pass through Excel (another program wrote it).
    assert parse_digits(6228480402564891, (12, 19)) == "6228480402564891"
    assert parse_digits(622848040256489, (12, 19)) == "622848040256489"


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (float(FITTING), FITTING),
        (6.29901197101246e17, CUT),
        (0.1 + 0.2, "0.3"),
        (4536.0, "4536"),
        (12, "12"),
        (629901197101246634, "629901197101247000"),  # Excel rounds what it shows to 15 digits
    ],
)
def test_numbers_are_quoted_as_excel_shows_them(value, shown):
    assert cell_text(value) == shown
