"""Raw row streams from an .xlsx or a CSV: (row number as Excel shows it, cell values, unsaved formulas)."""

import csv
import io
import warnings
from collections.abc import Callable, Iterator, Sequence
from typing import BinaryIO, TypeVar

from core.problems import Problem, Rejected
from core.tabular.safety import SAVE_AS, reject

# Unsaved formulas are keyed by 0-based column index, valued by the formula text.
RawRow = tuple[int, Sequence[object], dict[int, str]]
T = TypeVar("T")

BROKEN_XLSX = "无法读取Excel文件，文件可能已损坏，" + SAVE_AS
# Built-in number formats whose codes depend on the locale (ECMA-376 Part 1, 18.8.30): in
# Chinese, Japanese and Korean Excel all of them are dates or times of day, e.g. zh-CN 31 is
# yyyy"年"m"月"d"日", 27 yyyy"年"m"月", 32 h"时"mm"分". A file names them by id alone.
EAST_ASIAN_DATE_FORMATS = frozenset((*range(27, 37), *range(50, 59)))


def _quietly(call: Callable[..., T], *args: object, **kwargs: object) -> T:
    """Call into openpyxl, silencing its warnings and turning its failures into a file problem."""
    # openpyxl warns about workbook features it drops (extensions, styles): irrelevant to reading
    # values, and they would fail tests under filterwarnings=error.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return call(*args, **kwargs)
        except Rejected:
            raise
        except Exception as error:  # any parser failure on untrusted input means a broken file
            raise reject(BROKEN_XLSX) from error


def _attach(values: Iterator[Sequence[object]], formulas: Iterator[tuple[int, dict[int, str]]]) -> Iterator[RawRow]:
    """Number the value rows and pair each with its unsaved formulas."""
    pending = _quietly(next, formulas, None)
    for number, row in enumerate(values, start=1):
        while pending is not None and pending[0] < number:
            pending = _quietly(next, formulas, None)
        unsaved = pending[1] if pending is not None and pending[0] == number else {}
        yield number, row, unsaved


def date_styles(book) -> set[int]:
    """The cell styles whose numbers are dates: openpyxl's, and those using a built-in format that
    Chinese Excel shows as a date or time (yyyy"年"m"月"d"日"…) but openpyxl does not know."""
    # openpyxl renumbers a style with a format code of its own to 164 or above, so a style left
    # with one of these ids names a built-in format with no code in the file.
    return book._date_formats | {
        index for index, style in enumerate(book._cell_styles) if style.numFmtId in EAST_ASIAN_DATE_FORMATS
    }


def _values(book, sheet) -> Iterator[Sequence[object]]:
    """sheet.iter_rows(values_only=True), parsed by xlsx_rows: openpyxl's per-cell objects are
    most of the cost of a big upload."""
    from core.tabular.xlsx_rows import sheet_rows  # openpyxl's helpers: loaded with the first .xlsx

    source = _quietly(book._archive.open, sheet._worksheet_path)
    return sheet_rows(
        source, sheet._shared_strings, date_styles(book), book._timedelta_formats, book.epoch, guard=_quietly
    )


def _first_visible(book):
    sheets = [sheet for sheet in book.worksheets if sheet.sheet_state == "visible"]
    if not sheets:
        raise reject("工作簿中没有可见的工作表")
    return sheets[0]


def _other_sheet_notices(book, chosen) -> list[str]:
    # Declared dimensions are cheap to read; an untouched sheet spans just A1.
    return [
        f"提示：只读取了第一个工作表「{chosen.title}」，忽略了工作表「{sheet.title}」"
        for sheet in book.worksheets
        if sheet is not chosen
        and sheet.sheet_state == "visible"
        and ((sheet.max_row or 1) > 1 or (sheet.max_column or 1) > 1)
    ]


def _xlsx_rows(book, sheet, stream: BinaryIO) -> Iterator[RawRow]:
    from core.tabular.formulas import has_formulas, unsaved_formulas

    formulas: Iterator[tuple[int, dict[int, str]]] = iter(())
    try:
        # Declared dimensions can be wrong; trusting them would silently drop rows.
        sheet.reset_dimensions()
        path = sheet._worksheet_path.lstrip("/")
        if _quietly(has_formulas, stream, path):
            formulas = unsaved_formulas(stream, path)
        yield from _attach(_values(book, sheet), formulas)
    finally:
        getattr(formulas, "close", lambda: None)()
        book.close()


def open_xlsx(stream: BinaryIO) -> tuple[Iterator[RawRow], list[str]]:
    """Rows of the first visible worksheet, as saved values, and notices about sheets left unread."""
    # openpyxl is loaded with the first spreadsheet, not with the app (a fifth of a second).
    from openpyxl import load_workbook

    book = _quietly(load_workbook, stream, read_only=True, data_only=True)
    try:
        sheet = _first_visible(book)
        notices = _other_sheet_notices(book, sheet)
    except BaseException:
        book.close()
        raise
    return _xlsx_rows(book, sheet, stream), notices


def open_csv(stream: BinaryIO, encoding: str) -> Iterator[RawRow]:
    """Rows of a CSV; the row number is the record number, as Excel would show it."""
    text = io.TextIOWrapper(stream, encoding=encoding, newline="")
    number = 0
    try:
        for number, record in enumerate(csv.reader(text), start=1):
            yield number, record, {}
    except csv.Error:
        raise Rejected([Problem("CSV格式错误，" + SAVE_AS, row=number + 1)]) from None
    finally:
        # The caller owns the byte stream: do not let the wrapper close it.
        text.detach()
