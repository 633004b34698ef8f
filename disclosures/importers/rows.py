"""Reading one row of an upload: each cell parsed or reported once, and the findings (errors and
warnings) in the order the person reads the file."""

import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from core.problems import Problem
from core.tabular import Row, parse_amount, parse_text

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

    def confirmable(
        self, column: str, check: Callable[[object], tuple[str, str | None]], *, required: bool = False
    ) -> str | None:
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
