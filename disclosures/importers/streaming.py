"""check_file: a file of any size checked in one streaming pass, its rows kept on disk, not in memory.

validate_upload returns every row as a dict — fine for a web upload, ~1.2 GB for a million-row
ledger. Here each row is parsed, handed to the whole-file checks (which keep only keys and row
numbers) and written to a sealed spill file; the batch services read the rows back from the spill
chunk by chunk. Nothing is stored unless the whole file passed.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

from core.tabular import open_table
from disclosures.importers.checking import DEFAULT_MAX_BYTES, DEFAULT_MAX_ROWS, FileCheck, template_for
from disclosures.importers.template import Template, batch_key
from disclosures.importers.spill import RowSpill
from disclosures.models import Kind


@dataclass
class CheckedFile:
    """A file that passed every check: its batches, what to tell the user, and its rows (once)."""

    kind: Kind
    filename: str
    batches: list[tuple[str, str | None, int]]  # (village, period or None, rows), in batch order
    period_field: str | None  # what splits a village's rows into batches (the ledger's month)
    notices: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    spill: RowSpill = field(default_factory=RowSpill, repr=False)

    @property
    def row_count(self) -> int:
        return self.spill.rows

    def batch_key(self, row: dict) -> tuple[str, str | None]:
        """(village, period) of the batch a row belongs to."""
        return batch_key(row, self.period_field)

    def chunks(self) -> Iterator[list[dict]]:
        """The checked rows, as validate_upload would give them, a few thousand at a time."""
        return self.spill.chunks()

    def close(self) -> None:
        self.spill.close()

    def __enter__(self) -> "CheckedFile":
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def check_file(
    kind: Kind,
    data: bytes | BinaryIO,
    filename: str,
    *,
    villages: set[str] | None,
    period: str | None = None,
    max_rows: int = DEFAULT_MAX_ROWS,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> CheckedFile:
    """validate_upload for files of any size: raise Rejected with all problems, else return the
    checked file (close it, or use it in a `with`, when done)."""
    return check_with(
        template_for(kind, period), data, filename, villages=villages, max_rows=max_rows, max_bytes=max_bytes
    )


def check_with(
    template: Template,
    data: bytes | BinaryIO,
    filename: str,
    *,
    villages: set[str] | None,
    max_rows: int = DEFAULT_MAX_ROWS,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> CheckedFile:
    """check_file with a template made by the caller (the rules' rosters bring their own)."""
    table = open_table(data, filename, template.spec, max_rows=max_rows, max_bytes=max_bytes)
    check, spill = FileCheck(template), RowSpill()
    counts: dict[tuple[str, str | None], int] = {}
    try:
        for row in table.rows():
            parsed = check.parse(row)
            # A file with a problem stores nothing: once one is found, only checking goes on.
            if not check.findings.problems:
                spill.add(parsed)
                key = template.batch_key(parsed)
                counts[key] = counts.get(key, 0) + 1
        check.finish(villages, table.problems)
    except BaseException:
        spill.close()
        raise
    batches = sorted(
        ((village, when, rows) for (village, when), rows in counts.items()),
        key=lambda batch: (batch[0], batch[1] or ""),
    )
    # Not the template itself: what it kept for the checks can go now.
    return CheckedFile(
        template.kind,
        filename,
        batches,
        template.period_field,
        list(table.notices),
        check.findings.warning_lines(),
        spill,
    )
