"""What a validated upload hands to the batch services: plain values, grouped into batches.

Subsidy and contract rows carry ID numbers and bank accounts in clear here; the services encrypt
and hash them before anything is stored.
"""

from dataclasses import dataclass, field

from disclosures.models import Kind


@dataclass
class ParsedBatch:
    """Rows of one village and kind (and month, for the ledger), ready to be staged."""

    village_code: str
    kind: Kind
    period: str | None
    # Each row: the model's column names → plain values (dates, Decimals, str), plus `row_number`.
    # Subsidies use `id_number` and `account` (clear) instead of the hash/cipher columns;
    # contracts use `party_id` (clear or '').
    rows: list[dict] = field(default_factory=list)


@dataclass
class ParsedUpload:
    kind: Kind
    filename: str
    batches: list[ParsedBatch]
    notices: list[str] = field(default_factory=list)  # `提示：…` lines (ignored columns)
    warnings: list[str] = field(default_factory=list)  # to confirm (统一社会信用代码 check character)

    @property
    def row_count(self) -> int:
        return sum(len(batch.rows) for batch in self.batches)
