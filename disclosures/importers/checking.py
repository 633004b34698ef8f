"""What both ways of checking an upload share: the templates, and one check of a file's rows."""

import re
from collections.abc import Iterable

from core.problems import Problem, Rejected
from core.tabular import Row
from disclosures.importers.rows import Cells, Findings
from disclosures.importers.template import Template
from disclosures.importers.villages import VillageRows
from disclosures.importers.contracts import ContractsTemplate
from disclosures.importers.ledger import LedgerTemplate
from disclosures.importers.projects import ProjectsTemplate
from disclosures.importers.subsidies import SubsidiesTemplate
from disclosures.models import Kind

TEMPLATES: dict[Kind, type[Template]] = {
    Kind.LEDGER: LedgerTemplate,
    Kind.SUBSIDIES: SubsidiesTemplate,
    Kind.PROJECTS: ProjectsTemplate,
    Kind.CONTRACTS: ContractsTemplate,
}
# Room for a million-row ledger CSV (~100 MB); web uploads pass their own, smaller limit.
DEFAULT_MAX_BYTES = 256 * 1024 * 1024
DEFAULT_MAX_ROWS = 1_000_000
NO_ROWS = "没有数据行"
_PERIOD = re.compile(r"\d{4}-(0[1-9]|1[0-2])")


def template_for(kind: Kind, period: str | None, replacing: set[int] | None = None) -> Template:
    """The kind's template with its lookups loaded; `period` restricts the ledger's 日期 only."""
    if period is not None and not _PERIOD.fullmatch(period):
        raise ValueError(f"period must be YYYY-MM, not {period!r}")
    template = TEMPLATES[Kind(kind)](period, frozenset(replacing or ()))
    template.prepare()
    return template


class FileCheck:
    """One upload being checked: each row parsed and kept for the whole-file rules, then those."""

    def __init__(self, template: Template):
        self.template = template
        self.findings = Findings(template.columns)
        self.villages = VillageRows()
        self.rows = 0

    def parse(self, row: Row) -> dict:
        parsed = self.template.parse(Cells(row, self.findings))
        self.template.keep(parsed)
        self.villages.add(parsed)
        self.rows += 1
        return parsed

    def finish(self, villages: set[str] | None, table_problems: Iterable[Problem]) -> None:
        """Checks between rows and against the database; raise Rejected with every problem."""
        findings = self.findings
        findings.problems.extend(table_problems)
        if not self.rows and not findings.problems:
            raise Rejected([Problem(NO_ROWS)])
        bad_villages = self.villages.check(villages, findings)
        self.template.check(findings, bad_villages)
        if findings.problems:
            raise Rejected(findings.sorted_problems())
