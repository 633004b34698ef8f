"""Validation of the four disclosure templates (DATA.md): a file or web-form rows become batches.

Every cell is checked and every bad one reported; a file with any problem yields nothing.
"""
import re
from collections.abc import Iterable
from typing import BinaryIO

from core.problems import Problem, Rejected
from core.tabular import Row, open_table
from disclosures.importers.common import Cells, Findings, Template, check_villages
from disclosures.importers.contracts import ContractsTemplate
from disclosures.importers.ledger import LedgerTemplate
from disclosures.importers.projects import ProjectsTemplate
from disclosures.importers.subsidies import SubsidiesTemplate
from disclosures.models import Kind
from disclosures.parsed import ParsedBatch, ParsedUpload

__all__ = ["validate_rows", "validate_upload"]

TEMPLATES: dict[Kind, type[Template]] = {Kind.LEDGER: LedgerTemplate, Kind.SUBSIDIES: SubsidiesTemplate,
                                         Kind.PROJECTS: ProjectsTemplate, Kind.CONTRACTS: ContractsTemplate}
# Room for a million-row ledger CSV (~100 MB); web uploads pass their own, smaller limit.
DEFAULT_MAX_BYTES = 256 * 1024 * 1024
NO_ROWS = "没有数据行"
_PERIOD = re.compile(r"\d{4}-(0[1-9]|1[0-2])")


def validate_upload(kind: Kind, data: bytes | BinaryIO, filename: str, *, villages: set[str] | None,
                    period: str | None = None, max_rows: int = 1_000_000,
                    max_bytes: int = DEFAULT_MAX_BYTES) -> ParsedUpload:
    """Check an uploaded file; raise Rejected with all its problems, else return its batches."""
    template = _template(kind, period)
    table = open_table(data, filename, template.spec, max_rows=max_rows, max_bytes=max_bytes)
    findings = Findings(template.columns)
    rows = _parse(template, table.rows(), findings)
    findings.problems.extend(table.problems)
    return _finish(template, rows, findings, villages, filename, table.notices)


def validate_rows(kind: Kind, rows: list[dict[str, object]], *, villages: set[str] | None,
                  period: str | None = None, replacing: set[int] | None = None) -> ParsedUpload:
    """The same checks for rows typed into a web form: dicts keyed by column name, numbered 1..n."""
    # `replacing`: ids of the stored rows a correction replaces; they do not clash with it.
    template = _template(kind, period, replacing)
    findings = Findings(template.columns)
    table_rows = (Row(number, {column: _clean(values.get(column)) for column in template.columns})
                  for number, values in enumerate(rows, start=1))
    return _finish(template, _parse(template, table_rows, findings), findings, villages, "", [])


def _template(kind: Kind, period: str | None, replacing: set[int] | None = None) -> Template:
    """The kind's template with its lookups loaded; `period` restricts the ledger's 日期 only."""
    if period is not None and not _PERIOD.fullmatch(period):
        raise ValueError(f"period must be YYYY-MM, not {period!r}")
    template = TEMPLATES[Kind(kind)](period, frozenset(replacing or ()))
    template.prepare()
    return template


def _clean(value: object) -> object:
    if isinstance(value, str):
        return value.strip() or None
    return value


def _parse(template: Template, rows: Iterable[Row], findings: Findings) -> list[dict]:
    parse = template.parse
    return [parse(Cells(row, findings)) for row in rows]


def _finish(template: Template, rows: list[dict], findings: Findings, villages: set[str] | None,
            filename: str, notices: list[str]) -> ParsedUpload:
    """Checks between rows and against the database, then the batches, or Rejected."""
    if not rows and not findings.problems:
        raise Rejected([Problem(NO_ROWS)])
    check_villages(rows, villages, findings)
    template.check(rows, findings)
    if findings.problems:
        raise Rejected(findings.sorted_problems())
    return ParsedUpload(template.kind, filename, _batches(template, rows), list(notices),
                        findings.warning_lines())


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
