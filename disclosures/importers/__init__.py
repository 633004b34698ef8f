"""Validation of the four disclosure templates (docs/import-templates.md): a file or web-form rows become batches.

Every cell is checked and every bad one reported; a file with any problem yields nothing.
validate_upload and validate_rows return every row; check_file (for files of any size) keeps
them on disk instead — see streaming.py.
"""

from typing import BinaryIO

from core.tabular import Row, open_table
from disclosures.importers.checking import DEFAULT_MAX_BYTES, DEFAULT_MAX_ROWS, FileCheck, template_for
from disclosures.importers.template import Template
from disclosures.importers.streaming import CheckedFile, check_file, check_with
from disclosures.models import Kind
from disclosures.parsed import ParsedBatch, ParsedUpload

__all__ = ["CheckedFile", "check_file", "check_with", "validate_rows", "validate_upload"]


def validate_upload(
    kind: Kind,
    data: bytes | BinaryIO,
    filename: str,
    *,
    villages: set[str] | None,
    period: str | None = None,
    max_rows: int = DEFAULT_MAX_ROWS,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> ParsedUpload:
    """Check an uploaded file; raise Rejected with all its problems, else return its batches."""
    template = template_for(kind, period)
    table = open_table(data, filename, template.spec, max_rows=max_rows, max_bytes=max_bytes)
    check = FileCheck(template)
    rows = [check.parse(row) for row in table.rows()]
    check.finish(villages, table.problems)
    return ParsedUpload(
        template.kind, filename, _batches(template, rows), list(table.notices), check.findings.warning_lines()
    )


def validate_rows(
    kind: Kind,
    rows: list[dict[str, object]],
    *,
    villages: set[str] | None,
    period: str | None = None,
    replacing: set[int] | None = None,
) -> ParsedUpload:
    """The same checks for rows typed into a web form: dicts keyed by column name, numbered 1..n."""
    # `replacing`: ids of the stored rows a correction replaces; they do not clash with it.
    template = template_for(kind, period, replacing)
    check = FileCheck(template)
    parsed = [
        check.parse(Row(number, {column: _clean(values.get(column)) for column in template.columns}))
        for number, values in enumerate(rows, start=1)
    ]
    check.finish(villages, [])
    return ParsedUpload(template.kind, "", _batches(template, parsed), [], check.findings.warning_lines())


def _clean(value: object) -> object:
    if isinstance(value, str):
        return value.strip() or None
    return value


def _batches(template: Template, rows: list[dict]) -> list[ParsedBatch]:
    """One batch per village and kind (and month, for the ledger), in code and month order."""
    groups: dict[tuple[str, str | None], list[dict]] = {}
    for row in rows:
        key = template.batch_key(row)
        group = groups.get(key)
        if group is None:
            group = groups[key] = []
        group.append(row)
    ordered = sorted(groups.items(), key=lambda item: (item[0][0], item[0][1] or ""))
    return [ParsedBatch(village, template.kind, period, group) for (village, period), group in ordered]
