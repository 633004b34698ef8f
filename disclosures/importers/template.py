"""One import template: its columns, how a row becomes a row dict, its whole-file checks."""

from core.tabular import TableSpec
from disclosures.importers.rows import Cells, Findings
from disclosures.importers.villages import VILLAGE, parse_village_code
from disclosures.models import Kind


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
        self._villages: dict = {}  # each distinct 村代码 as written, parsed once

    def village_code(self, cells: Cells) -> str:
        """The row's 村代码, which every template has and checks alike."""
        return cells.parse(VILLAGE, parse_village_code, self._villages)

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
