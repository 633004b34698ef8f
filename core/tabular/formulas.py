"""Finding formula cells that have no saved result, by scanning the sheet XML of an .xlsx.

openpyxl with data_only=True shows such a cell as empty, exactly like a blank cell, so the reader
needs to know where they are. Parsing the whole sheet a second time as XML would double the cost
of every upload that has a single =SUM(); instead the raw bytes are searched for <f> elements
(only cells hold them inside <sheetData>, and <f> is a cell's first child), and only those few
cells are looked at.
"""

import html
import re
import zipfile
from collections.abc import Iterator
from typing import BinaryIO

from openpyxl.utils.cell import column_index_from_string

_CHUNK = 1024 * 1024
_NS = rb"(?:[\w.-]+:)?"
_FORMULA_START = re.compile(rb"<" + _NS + rb"f[\s>/]")
_CELL_START = re.compile(rb"<" + _NS + rb"c\s")
_CELL_END = re.compile(rb"</" + _NS + rb"c>")
_SHEET_DATA_END = re.compile(rb"</" + _NS + rb"sheetData>")
_START_TAG = re.compile(rb"<" + _NS + rb"c\s([^>]*)>")
_REF = re.compile(rb"""\br=["']([A-Za-z]{1,3})(\d+)["']""")
_TYPE = re.compile(rb"""\bt=["']([^"']*)["']""")
_FORMULA_TEXT = re.compile(rb"<" + _NS + rb"f\b[^>]*?(?:/>|>(.*?)</" + _NS + rb"f>)", re.S)
_VALUE = re.compile(rb"<" + _NS + rb"v(?:\s[^>]*)?(?:/>|>(.*?)</" + _NS + rb"v>)", re.S)
# A cell's start tag is short; the <f> that follows it lies within this many bytes.
_START_TAG_WINDOW = 512


def has_formulas(stream: BinaryIO, sheet_path: str) -> bool:
    """Whether the sheet XML holds any <f> element at all; most uploads have none."""
    with zipfile.ZipFile(stream) as archive, archive.open(sheet_path) as member:
        tail = b""
        while chunk := member.read(_CHUNK):
            if _FORMULA_START.search(tail + chunk):
                return True
            tail = chunk[-64:]
    return False


def _unsaved(cell: bytes) -> tuple[int, int, str] | None:
    """(row, 0-based column, formula) if this cell's formula has no saved result, else None."""
    start = _START_TAG.match(cell)
    ref = _REF.search(start.group(1)) if start else None
    if ref is None:
        return None
    kind = _TYPE.search(start.group(1))
    value = _VALUE.search(cell)
    # A formula whose result is "" is saved as t="str" with an empty <v>: that is a result.
    if (value and value.group(1)) or (kind and kind.group(1) in (b"str", b"inlineStr")):
        return None
    formula = _FORMULA_TEXT.search(cell)
    text = html.unescape((formula.group(1) or b"").decode("utf-8", "replace")) if formula else ""
    return int(ref.group(2)), column_index_from_string(ref.group(1).decode()) - 1, "=" + text


def _cell_start(buffer: bytes, formula_at: int) -> int | None:
    window = max(0, formula_at - _START_TAG_WINDOW)
    starts = list(_CELL_START.finditer(buffer, window, formula_at))
    return starts[-1].start() if starts else None


def _scan(buffer: bytes) -> tuple[list[tuple[int, int, str]], int]:
    """Unsaved formula cells wholly inside buffer, and where the unscanned rest begins."""
    found, position = [], 0
    while match := _FORMULA_START.search(buffer, position):
        start = _cell_start(buffer, match.start())
        if start is None:
            # Not inside a cell we can locate (no r attribute, odd XML): nothing to report.
            position = match.end()
            continue
        end = _CELL_END.search(buffer, match.end())
        if end is None:
            # Cut by the chunk boundary: keep it for the next round.
            return found, start
        if cell := _unsaved(buffer[start : end.end()]):
            found.append(cell)
        position = end.end()
    # Keep enough of the tail for a cell start and an <f> cut by the chunk boundary.
    return found, max(position, len(buffer) - 2 * _START_TAG_WINDOW)


def _cells(member) -> Iterator[tuple[int, int, str]]:
    carry = b""
    while chunk := member.read(_CHUNK):
        buffer = carry + chunk
        data_end = _SHEET_DATA_END.search(buffer)
        found, rest = _scan(buffer[: data_end.start()] if data_end else buffer)
        yield from found
        if data_end:
            return
        carry = buffer[rest:]


def unsaved_formulas(stream: BinaryIO, sheet_path: str) -> Iterator[tuple[int, dict[int, str]]]:
    """Stream (row number, {column index: formula}) for each row with formulas lacking a saved result."""
    with zipfile.ZipFile(stream) as archive, archive.open(sheet_path) as member:
        row, found = 0, {}
        for number, column, formula in _cells(member):
            if number != row and found:
                yield row, found
                found = {}
            row = number
            found[column] = formula
        if found:
            yield row, found
