"""Totals rows (合计, 收入合计 …): recognised, never data, and checked against the data rows' sums."""

import re
from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal

from core.problems import Problem
from core.tabular.cells import cell_text, is_blank, to_decimal

ALL = "all"
INCOME, EXPENSE = "收入", "支出"
OPENING = "期初余额"  # a ledger's opening balance: no movement of money, in no total
# Longest first: 收入合计 must not be read as a plain 合计.
_PREFIXES = (("收入合计", INCOME), ("支出合计", EXPENSE), ("合计", ALL), ("总计", ALL), ("小计", ALL))
_SPACES = re.compile(r"\s+")
# What a label starts with: a data row's first cell rarely does, and is then passed over at once.
_INITIALS = frozenset(prefix[0] for prefix, _ in _PREFIXES)


def totals_kind(values: Sequence[object]) -> str | None:
    """ALL, INCOME or EXPENSE when the row's first non-empty cell starts a totals label, else None."""
    first = next((value for value in values if not is_blank(value)), None)
    if not isinstance(first, str) or first.lstrip()[:1] not in _INITIALS:
        return None
    # People space out labels to align them: 合　计.
    label = _SPACES.sub("", first)
    return next((kind for prefix, kind in _PREFIXES if label.startswith(prefix)), None)


class Totals:
    """Column sums over the data rows, and the totals cells to compare with them at the end."""

    def __init__(self, amounts: Sequence[str], direction: str | None):
        self.amounts = amounts
        self.direction = direction
        self.sums: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
        self.claims: list[tuple[int, str, str, object]] = []

    def add_data(self, cells: dict[str, object]) -> None:
        """Add a data row's amounts; cells that are not numbers are left out (the importer reports them)."""
        side = cells.get(self.direction) if self.direction else None
        if side is not None and side not in (INCOME, EXPENSE):
            side = _SPACES.sub("", cell_text(side))
        if side == OPENING:
            return
        for column in self.amounts:
            try:
                amount = to_decimal(cells.get(column))
            except ValueError:
                continue
            self.sums[ALL][column] += amount
            if side in (INCOME, EXPENSE):
                self.sums[side][column] += amount

    def add_totals(self, number: int, kind: str, cells: dict[str, object]) -> None:
        """Remember a totals row's non-empty amount cells, to check once all data rows are summed."""
        # Without a 收支 column there is no telling income rows apart: compare with everything.
        kind = kind if self.direction else ALL
        for column in self.amounts:
            if not is_blank(cells.get(column)):
                self.claims.append((number, kind, column, cells[column]))

    def problems(self) -> list[Problem]:
        """One problem per totals cell that is not a number or differs from its sum."""
        found = []
        for number, kind, column, value in self.claims:
            expected = self.sums[kind][column]
            try:
                matches = to_decimal(value) == expected
            except ValueError:
                found.append(Problem("合计不是有效金额", number, column, cell_text(value)))
                continue
            if not matches:
                reason = f"合计与明细之和不符（明细合计 {expected:,.2f}）"
                found.append(Problem(reason, number, column, cell_text(value)))
        return found
