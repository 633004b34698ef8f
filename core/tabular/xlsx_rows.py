"""The cell values of an .xlsx sheet's rows, read with expat.

What openpyxl's read-only ``iter_rows(values_only=True)`` yields — the same values, the same row
padding — at about a third of its cost: openpyxl builds an element, a dict and, for inline
strings, a rich-text object per cell, which is most of the time a 100,000-row upload takes.
openpyxl still reads the workbook (sheets, styles, shared strings); only the sheet's rows are
parsed here.
"""

import xml.parsers.expat
from collections.abc import Callable, Iterator, Sequence
from typing import BinaryIO

from openpyxl.utils.cell import column_index_from_string
from openpyxl.utils.datetime import from_ISO8601, from_excel
from openpyxl.xml.constants import SHEET_MAIN_NS

_CHUNK = 1024 * 1024
_ROW, _CELL, _VALUE, _INLINE, _TEXT, _PHONETIC = (
    f"{SHEET_MAIN_NS} {name}" for name in ("row", "c", "v", "is", "t", "rPh")
)
_DIGITS = "0123456789"
_DATE_CACHE_LIMIT = 10_000
INVALID_DATE = "#VALUE!"  # what openpyxl shows for a date cell outside Excel's range


def _number(text: str) -> int | float:
    # As openpyxl reads a number cell.
    return float(text) if "." in text or "E" in text or "e" in text else int(text)


def _no_dtd(*_args: object) -> None:
    # Sheet XML has no DOCTYPE; refusing one rules out entity expansion attacks.
    raise ValueError("DOCTYPE in worksheet XML")


class _Sheet:
    """expat handlers collecting (row number, cells) as the XML streams in."""

    def __init__(self, shared_strings: Sequence[str], date_formats: set[int], timedelta_formats: set[int], epoch):
        self.shared_strings = shared_strings
        self.date_formats = date_formats
        self.timedelta_formats = timedelta_formats
        self.epoch = epoch
        self.done: list[tuple[int, list[tuple[int, object]]]] = []
        self._columns: dict[str, int] = {}
        self._dates: dict[tuple[float, bool], object] = {}
        self._row = 0
        self._cells: list[tuple[int, object]] = []
        self._column = 0
        self._kind = self._style = self._value = None
        self._inline: list[str] | None = None
        self._text: list[str] | None = None
        self._phonetic = 0

    def start(self, name: str, attributes: dict[str, str]) -> None:
        if name == _CELL:
            self._kind = attributes.get("t", "n")
            self._style = attributes.get("s")
            self._value = self._inline = None
            reference = attributes.get("r")
            self._column = self._column_of(reference) if reference else self._column + 1
        elif name == _VALUE:
            self._text = []
        elif name == _INLINE:
            self._inline = []
        elif name == _TEXT and self._inline is not None and not self._phonetic:
            self._text = []
        elif name == _PHONETIC:
            self._phonetic += 1
        elif name == _ROW:
            number = attributes.get("r")
            self._row = self._row + 1 if number is None else self._row_number(number)
            self._cells, self._column = [], 0

    def end(self, name: str) -> None:
        if name == _VALUE:
            if self._value is None:  # the first <v> counts, as in openpyxl
                self._value = "".join(self._text or ())
            self._text = None
        elif name == _TEXT:
            if self._text is not None and self._inline is not None:
                self._inline.append("".join(self._text))
            self._text = None
        elif name == _PHONETIC:
            self._phonetic -= 1
        elif name == _CELL:
            self._cells.append((self._column, self._cell_value()))
        elif name == _ROW:
            self.done.append((self._row, self._cells))

    def text(self, data: str) -> None:
        if self._text is not None:
            self._text.append(data)

    def _column_of(self, reference: str) -> int:
        letters = reference.rstrip(_DIGITS)
        column = self._columns.get(letters)
        if column is None:
            column = self._columns[letters] = column_index_from_string(letters)
        return column

    @staticmethod
    def _row_number(text: str) -> int:
        try:
            return int(text)
        except ValueError:
            number = float(text)
            if not number.is_integer():
                raise ValueError(f"{text} is not a valid row number") from None
            return int(number)

    def _cell_value(self) -> object:
        kind, text = self._kind, self._value
        if kind == "inlineStr":
            return "".join(self._inline) if self._inline is not None else None
        if not text:
            return None
        if kind == "n":
            number = _number(text)
            style = int(self._style) if self._style else 0
            return self._date(number, style) if style in self.date_formats else number
        if kind == "s":
            return self.shared_strings[int(text)]
        if kind == "b":
            return bool(int(text))
        if kind == "d":
            return from_ISO8601(text)
        return text  # "str" (a formula's text result), "e" (an error such as #N/A)

    def _date(self, number: float, style: int) -> object:
        key = (number, style in self.timedelta_formats)
        found = self._dates.get(key)
        if found is None:
            if len(self._dates) >= _DATE_CACHE_LIMIT:
                self._dates.clear()
            try:
                found = from_excel(number, self.epoch, timedelta=key[1])
            except (OverflowError, ValueError):
                found = INVALID_DATE
            self._dates[key] = found
        return found


def _parser(sheet: _Sheet) -> xml.parsers.expat.XMLParserType:
    parser = xml.parsers.expat.ParserCreate(namespace_separator=" ")
    parser.buffer_text = True
    parser.StartElementHandler = sheet.start
    parser.EndElementHandler = sheet.end
    parser.CharacterDataHandler = sheet.text
    parser.StartDoctypeDeclHandler = _no_dtd
    parser.EntityDeclHandler = _no_dtd
    return parser


def _values(cells: list[tuple[int, object]]) -> tuple:
    """A row as openpyxl pads it: up to its last cell's column, None where no cell is."""
    if not cells:
        return ()
    values = [None] * cells[-1][0]
    for column, value in cells:
        if 1 <= column <= len(values):
            values[column - 1] = value
    return tuple(values)


def sheet_rows(
    source: BinaryIO,
    shared_strings: Sequence[str],
    date_formats: set[int],
    timedelta_formats: set[int],
    epoch,
    *,
    guard: Callable = lambda call, *args: call(*args),
) -> Iterator[Sequence[object]]:
    """Every row from the first, as value tuples ([] for a row the XML skips); `guard` wraps each
    parsing step (to turn its failures into a file problem)."""
    sheet = _Sheet(shared_strings, date_formats, timedelta_formats, epoch)
    parser = _parser(sheet)
    expected = 1
    try:
        while True:
            chunk = guard(source.read, _CHUNK)
            guard(parser.Parse, chunk, not chunk)
            for number, cells in sheet.done:
                while expected < number:  # rows the XML leaves out
                    expected += 1
                    yield []
                if expected <= number:
                    expected += 1
                    yield _values(cells)
            sheet.done.clear()
            if not chunk:
                return
    finally:
        source.close()
