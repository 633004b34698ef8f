"""What every template shares: reading one row's cells, the findings, the keys kept for the
whole-file checks, live stored rows."""
import re
from array import array
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, select

from core.extensions import db
from core.problems import Problem
from core.regions.models import Level, Region
from core.tabular import Row, TableSpec, parse_amount, parse_digits, parse_text
from disclosures.models import Batch, BatchStatus, Kind
from disclosures.public import is_current

VILLAGE = "村代码"

# Rows in these batches exist for uniqueness and references; a returned batch is gone.
LIVE_STATUSES = (BatchStatus.PENDING.value, BatchStatus.PUBLISHED.value)
# Bound parameters per IN list: well below SQLite's and PostgreSQL's limits.
IN_CHUNK = 900
# Stored rows read for a check come in slices of this many (a server-side cursor on PostgreSQL).
STREAM_ROWS = 10_000
_SPACES = re.compile(r"\s+")
# Fits Numeric(14, 2) with at most 2 decimals: anything else takes the full parser and its reasons.
_PLAIN_AMOUNT = re.compile(r"\d{1,12}(?:\.\d{1,2})?")
CENT = Decimal("0.01")


class Findings:
    """The errors and warnings of one upload, sorted as the person reads the file."""

    def __init__(self, columns: tuple[str, ...]):
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []
        self._order = {name: position for position, name in enumerate(columns)}

    def error(self, row: int, column: str, value: object, reason: str) -> None:
        self.problems.append(Problem(reason, row, column, parse_text(value)))

    def warn(self, row: int, column: str, value: object, reason: str) -> None:
        self.warnings.append(Problem(reason, row, column, parse_text(value)))

    def reported_cells(self) -> set[tuple[int | None, str | None]]:
        """(row, column) of every cell reported so far."""
        return {(problem.row, problem.column) for problem in self.problems}

    def _key(self, problem: Problem) -> tuple[int, int]:
        return problem.row or 0, self._order.get(problem.column or "", -1)

    def sorted_problems(self) -> list[Problem]:
        return sorted(self.problems, key=self._key)

    def warning_lines(self) -> list[str]:
        return [str(warning) for warning in sorted(self.warnings, key=self._key)]


class Cells:
    """One row being read: each getter parses a cell, or reports it once and returns None."""

    __slots__ = ("number", "_cells", "_reported", "_findings")

    def __init__(self, row: Row, findings: Findings):
        self.number = row.number
        self._cells = row.cells
        self._reported = row.reported
        self._findings = findings

    def raw(self, column: str) -> object:
        return self._cells.get(column)

    def bad(self, column: str, reason: str) -> None:
        """Report this row's cell, showing its value as the person typed it."""
        self._findings.error(self.number, column, self._cells.get(column), reason)

    def warn(self, column: str, reason: str) -> None:
        self._findings.warn(self.number, column, self._cells.get(column), reason)

    def parse(self, column: str, parse: Callable[[object], Any], cache: dict | None = None) -> Any:
        """The parsed cell, or None when it breaks a rule (reported) or the table reported it."""
        if self._reported and column in self._reported:
            return None
        value = self._cells.get(column)
        result = _cached(parse, value, cache) if cache is not None else _attempt(parse, value)
        if isinstance(result, ValueError):
            self.bad(column, str(result))
            return None
        return result

    def optional(self, column: str, parse: Callable[[object], Any], cache: dict | None = None) -> Any:
        """Like parse, but an empty cell is simply None."""
        if self._cells.get(column) is None:
            return None
        return self.parse(column, parse, cache)

    def confirmable(self, column: str, check: Callable[[object], tuple[str, str | None]], *,
                    required: bool = False) -> str | None:
        """A code whose checker returns (value, warning): '' when optional and empty, None when bad;
        a warning (a wrong check character) is for the uploader to confirm, not an error."""
        if not required and self.raw(column) is None:
            return ""
        checked = self.parse(column, check)
        if checked is None:
            return None
        value, warning = checked
        if warning:
            self.warn(column, warning)
        return value

    def text(self, column: str, limit: int | None, *, required: bool = True) -> str | None:
        """Free text ('' when an optional cell is empty); None when required and empty or too long."""
        if self._reported and column in self._reported:
            return None
        value = self._cells.get(column)
        # Table and form cells arrive stripped, so most text needs no parsing at all.
        value = value if type(value) is str else parse_text(value)
        if required and not value:
            self.bad(column, "不能为空")
            return None
        if limit is not None and len(value) > limit:
            self.bad(column, f"不能超过{limit}个字")
            return None
        return value

    def choice(self, column: str, allowed: dict[str, str], reason: str) -> str | None:
        """One of a fixed list of words (spaces ignored), mapped to its stored value."""
        if self._reported and column in self._reported:
            return None
        value = self._cells.get(column)
        if type(value) is str and value in allowed:
            return allowed[value]
        word = _SPACES.sub("", parse_text(value))
        if not word:
            self.bad(column, "不能为空")
            return None
        if word not in allowed:
            self.bad(column, reason)
            return None
        return allowed[word]


def amount_parser(*, allow_zero: bool) -> Callable[[object], Decimal]:
    """parse_amount, with a shortcut for the plain 1234.5 that nearly every cell of a big file is."""
    def parse(value: object) -> Decimal:
        if type(value) is str and _PLAIN_AMOUNT.fullmatch(value):
            amount = Decimal(value)
            if amount > 0 or (allow_zero and amount == 0):
                return amount.quantize(CENT)
        return parse_amount(value, allow_zero=allow_zero)
    return parse


def _attempt(parse: Callable[[object], Any], value: object) -> Any:
    try:
        return parse(value)
    except ValueError as error:
        return error


def _cached(parse: Callable[[object], Any], value: object, cache: dict) -> Any:
    """Parse through a per-column cache: dates and codes repeat on most rows of a big file."""
    # True == 1 == 1.0 as dict keys: keep the type in the key for anything but text.
    key = value if type(value) is str else (type(value), value)
    try:
        return cache[key]
    except KeyError:
        result = cache[key] = _attempt(parse, value)
        return result


class Template:
    """One import template: its columns, how a row becomes a row dict, and its whole-file checks.

    The whole-file checks see each parsed row once, through keep(), and remember only what they
    need (a key, a row number), so that a million-row file is checked without holding its rows.
    """

    kind: Kind
    columns: tuple[str, ...]  # as docs/import-templates.md lists them: the order problems are told in, row by row
    spec: TableSpec
    period_field: str | None = None  # the row key that splits batches by period (ledger: month)

    def __init__(self, period: str | None, replacing: frozenset[int] = frozenset()):
        self.period = period
        # A correction: the stored rows it replaces neither clash with it nor bind it.
        self.replacing = replacing

    def prepare(self) -> None:
        """Load the lookups the row parser needs (one query each)."""

    def parse(self, cells: Cells) -> dict:
        """The row dict: model column names → values, None where a cell was bad."""
        raise NotImplementedError

    def keep(self, row: dict) -> None:
        """Remember what check() needs of a parsed row; rows come in file order."""

    def check(self, findings: Findings, bad_villages: set[str]) -> None:
        """Rules between the kept rows and against stored rows; rows of a bad village are skipped
        (their 村代码 is already reported)."""

    def batch_key(self, row: dict) -> tuple[str, str | None]:
        return batch_key(row, self.period_field)


def batch_key(row: dict, period_field: str | None) -> tuple[str, str | None]:
    """A row's batch: its village, and its `period_field` (the ledger's month) if the kind has one."""
    return row["village_code"], row[period_field] if period_field else None


def chunks(values: Iterable[Any]) -> Iterator[list[Any]]:
    """Sorted values in lists small enough for one IN clause each."""
    ordered = sorted(values)
    for start in range(0, len(ordered), IN_CHUNK):
        yield ordered[start:start + IN_CHUNK]


def live_rows(model: Any, *columns: Any, villages: list[str],
              excluding: frozenset[int] = frozenset()) -> Select:
    """Stored rows that still count: in a pending or published batch, not replaced or withdrawn."""
    query = (select(*columns).join(Batch, model.batch_id == Batch.id)
             .where(Batch.status.in_(LIVE_STATUSES), model.village_code.in_(villages),
                    is_current(model)))
    return query.where(model.id.not_in(sorted(excluding))) if excluding else query


class UniqueKeys:
    """Keys that must be unique within a file and unused among stored rows, kept as the file is read.

    Grouped (by village, or village and year) so that a row costs one string and one row number:
    each key's first row, and the later rows that repeat it.
    """

    def __init__(self) -> None:
        self.groups: dict[tuple, dict[str, int]] = {}
        self._repeats: list[tuple[tuple, str, int]] = []

    def add(self, group: tuple, key: str, number: int) -> None:
        keys = self.groups.get(group)
        if keys is None:
            keys = self.groups[group] = {}
        first = keys.setdefault(key, number)
        if first != number:
            self._repeats.append((group, key, number))

    def __contains__(self, item: tuple[tuple, str]) -> bool:
        group, key = item
        return key in self.groups.get(group, ())

    def report(self, stored: set[tuple[tuple, str]], bad_villages: set[str],
               report: Callable[[int, tuple, str, int | None], None]) -> None:
        """report(row, group, key, earlier) for each row whose key is stored (earlier None) or was
        taken by an earlier row of the file; groups of a bad village are skipped."""
        for group, key in stored:
            if group[0] not in bad_villages:
                report(self.groups[group][key], group, key, None)
        for group, key, number in self._repeats:
            if group[0] not in bad_villages:
                report(number, group, key, None if (group, key) in stored else self.groups[group][key])


def stored_keys(query: Select, keys: UniqueKeys) -> set[tuple[tuple, str]]:
    """The file's keys that stored rows already use; `query` selects (*group, key) rows."""
    found = set()
    for *group, key in db.session.execute(query.execution_options(yield_per=STREAM_ROWS)):
        if (tuple(group), key) in keys:
            found.add((tuple(group), key))
    return found


def parse_village_code(value: object) -> str:
    return parse_digits(value, 12)


def _village_problem(level: str | None, code: str, villages: set[str] | None) -> str | None:
    if level is None:
        return "村代码不存在"
    if level != Level.VILLAGE:
        return "不是村级区划代码"
    if villages is not None and code not in villages:
        return "不是本账号可上报的村"
    return None


class VillageRows:
    """Which rows name each 村代码, kept compactly, for the check every template shares."""

    def __init__(self) -> None:
        self._rows: dict[str, array] = {}

    def add(self, row: dict) -> None:
        code = row.get("village_code")  # tables without villages (the commission's rosters) skip this
        if code is None:
            return
        numbers = self._rows.get(code)
        if numbers is None:
            numbers = self._rows[code] = array("I")
        numbers.append(row["row_number"])

    def check(self, villages: set[str] | None, findings: Findings) -> set[str]:
        """Report each row whose 村代码 is not an existing village the uploader may write; return
        those codes."""
        levels: dict[str, str] = {}
        for part in chunks(self._rows):
            levels.update(map(tuple, db.session.execute(
                select(Region.code, Region.level).where(Region.code.in_(part)))))
        bad = {code: reason for code in self._rows
               if (reason := _village_problem(levels.get(code), code, villages))}
        for code, reason in bad.items():
            for number in self._rows[code]:
                findings.error(number, VILLAGE, code, reason)
        return set(bad)
