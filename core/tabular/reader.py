"""open_table: an uploaded .xlsx or CSV as a stream of rows keyed by column name."""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from itertools import chain, islice
from typing import BinaryIO

from core.problems import Problem
from core.tabular.cells import is_blank
from core.tabular.header import HEADER_SCAN_ROWS, Header, find_header
from core.tabular.safety import as_stream, check_zip, detect_encoding, reject, sniff
from core.tabular.sources import RawRow, open_csv, open_xlsx
from core.tabular.totals import Totals, totals_kind

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
DEFAULT_MAX_ROWS = 100_000
FORMULA_UNSAVED = "公式没有保存计算结果，请用Excel打开后保存再上传"


@dataclass(frozen=True)
class TableSpec:
    """The columns an importer expects, which hold amounts, and the 收支 column if it has one."""

    required: tuple[str, ...]
    optional: tuple[str, ...] = ()
    amounts: tuple[str, ...] = ()
    direction: str | None = None


@dataclass(frozen=True)
class Row:
    """A data row: its Excel row number, and every spec column's raw value (None when empty or absent).

    `reported` names the columns whose cell the table has already put in its problems (an unsaved
    formula); an importer skips them so that each cell is reported once.
    """

    number: int
    cells: dict[str, object]
    reported: frozenset[str] = field(default_factory=frozenset)


def _clean(value: object) -> object:
    if isinstance(value, str):
        return value.strip() or None
    return value


def _all_blank(values: Sequence[object]) -> bool:
    for value in values:
        if not is_blank(value):
            return False
    return True


class Table:
    """A file whose header was found; rows() streams it once, then problems holds what it found."""

    def __init__(
        self,
        spec: TableSpec,
        header: Header,
        pending: list[RawRow],
        source: Iterator[RawRow],
        notices: list[str],
        max_rows: int,
    ):
        self.spec = spec
        self.header_row = header.number
        self.columns = [name for name in header.names if name]
        self.notices = notices
        self.problems: list[Problem] = []
        self._index = header.index
        self._empty = dict.fromkeys((*spec.required, *spec.optional))
        self._positions = tuple(header.index.items())
        self._pending = pending
        self._source = source
        self._max_rows = max_rows
        self._data_rows = 0
        self._totals = Totals([c for c in spec.amounts if c in header.index], spec.direction)
        self._started = False

    def rows(self) -> Iterator[Row]:
        """Yield the data rows lazily; totals and formula problems are in self.problems afterwards."""
        if self._started:
            raise RuntimeError("Table.rows() can be iterated only once")
        self._started = True
        try:
            for number, values, unsaved in chain(self._pending, self._source):
                row = self._take(number, values, unsaved)
                if row is not None:
                    yield row
            self.problems.extend(self._totals.problems())
            self.problems.sort(key=lambda problem: problem.row or 0)
        finally:
            self.close()

    def close(self) -> None:
        """Release the file; needed only when rows() is abandoned before its end."""
        getattr(self._source, "close", lambda: None)()

    def _cells(self, values: Sequence[object]) -> dict[str, object]:
        # Runs for every row of a file: _clean inlined.
        cells = self._empty.copy()
        width = len(values)
        for name, position in self._positions:
            if position < width:
                value = values[position]
                cells[name] = (value.strip() or None) if type(value) is str else _clean(value)
        return cells

    def _unsaved(self, number: int, unsaved: dict[int, str]) -> frozenset[str]:
        names = [(name, unsaved[i]) for name, i in self._index.items() if i in unsaved]
        self.problems.extend(Problem(FORMULA_UNSAVED, number, name, text) for name, text in names)
        return frozenset(name for name, _ in names)

    def _take(self, number: int, values: Sequence[object], unsaved: dict[int, str]) -> Row | None:
        """The data row for these values, or None for an empty or totals row."""
        reported = self._unsaved(number, unsaved) if unsaved else frozenset()
        if not reported and _all_blank(values):
            return None
        cells = self._cells(values)
        kind = totals_kind(values)
        if kind is not None:
            self._totals.add_totals(number, kind, cells)
            return None
        self._data_rows += 1
        if self._data_rows > self._max_rows:
            raise reject(f"行数超过上限{self._max_rows}行")
        self._totals.add_data(cells)
        return Row(number, cells, reported)


def _open_source(stream: BinaryIO, filename: str) -> tuple[Iterator[RawRow], list[str]]:
    if sniff(stream, filename) == "xlsx":
        check_zip(stream)
        return open_xlsx(stream)
    return open_csv(stream, detect_encoding(stream)), []


def open_table(
    data: bytes | BinaryIO,
    filename: str,
    spec: TableSpec,
    *,
    max_rows: int = DEFAULT_MAX_ROWS,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Table:
    """Check an upload and find its header; raise Rejected for what is wrong with the file as a whole."""
    raw, notices = _open_source(as_stream(data, max_bytes), filename)
    try:
        head = list(islice(raw, HEADER_SCAN_ROWS))
        header = find_header([(number, values) for number, values, _ in head], spec.required, spec.optional)
    except BaseException:
        getattr(raw, "close", lambda: None)()
        raise
    return Table(spec, header, head[header.position + 1 :], raw, notices + header.notices, max_rows)
