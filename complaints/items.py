"""The disclosed item a complaint questions: its public values for the form, and the snapshot
kept with the complaint. Only what the public pages show; subsidy recipients' names masked."""

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select

from core.extensions import db
from core.privacy import mask_name
from core.web import id_from
from complaints.models import Category
from disclosures.models import ROW_MODELS, Direction, Kind
from disclosures.public import is_public, public_fields

CATEGORY_OF = {
    Kind.LEDGER: Category.FUNDS,
    Kind.SUBSIDIES: Category.SUBSIDY,
    Kind.PROJECTS: Category.PROJECT,
    Kind.CONTRACTS: Category.ASSET,
}
# The public columns a villager needs to say which row they mean, drawn from the public
# whitelist, so no ID number, bank account or party ID can leak into a form or a snapshot.
COLUMNS = {
    Kind.LEDGER: public_fields(
        Kind.LEDGER, ("entry_on", "voucher_no", "direction", "category", "summary", "amount", "counterparty")
    ),
    Kind.SUBSIDIES: public_fields(Kind.SUBSIDIES, ("item", "month", "name", "public_ref", "amount", "paid_on")),
    Kind.PROJECTS: public_fields(
        Kind.PROJECTS, ("project_no", "name", "budget", "contractor", "progress", "paid_total", "status", "updated_on")
    ),
    Kind.CONTRACTS: public_fields(
        Kind.CONTRACTS, ("contract_no", "subject", "party", "start_on", "end_on", "annual_rent")
    ),
}


@dataclass(frozen=True)
class QuestionedItem:
    kind: Kind
    row_id: int
    values: list[tuple[str, str]]

    @property
    def label(self) -> str:
        return self.kind.label

    @property
    def ref(self) -> str:
        """How links name it: `ledger:123` (what find_item reads)."""
        return f"{self.kind.value}:{self.row_id}"

    @property
    def category(self) -> Category:
        return CATEGORY_OF[self.kind]

    @property
    def summary(self) -> str:
        """One line for the complaint record: what the villager saw when they asked."""
        return f"{self.kind.label}：" + "；".join(f"{label} {value}" for label, value in self.values if value)

    @property
    def snapshot(self) -> tuple[str, int, str]:
        return self.kind.value, self.row_id, self.summary


def find_item(village_code: str, ref: str) -> QuestionedItem | None:
    """`ledger:123` → the village's current public row, described; None for anything else."""
    kind_name, _, row_id = (ref or "").partition(":")
    row_id = id_from(row_id)
    if kind_name not in {kind.value for kind in Kind} or row_id is None:
        return None
    kind = Kind(kind_name)
    model = ROW_MODELS[kind]
    row = db.session.scalar(
        select(model).where(model.id == row_id, model.village_code == village_code, is_public(model))
    )
    if row is None:
        return None
    values = [(label, _text(kind, name, getattr(row, name))) for name, label in COLUMNS[kind]]
    return QuestionedItem(kind, row.id, values)


def _text(kind: Kind, name: str, value) -> str:
    if value is None or value == "":
        return ""
    if kind is Kind.SUBSIDIES and name == "name":
        return mask_name(value)
    if name == "direction":
        return Direction.label_of(value)
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    return str(value)


@dataclass(frozen=True)
class ItemLocation:
    """Where a questioned row can be looked at: its public page and its batch in the back office."""

    endpoint: str
    args: dict
    batch_id: int
    current: bool  # False once a correction replaced or withdrew the row


def item_location(kind_name: str | None, row_id: int | None, village_code: str) -> ItemLocation | None:
    """The stored row a complaint names (as it was questioned), or None when none is named."""
    if kind_name not in {kind.value for kind in Kind} or row_id is None:
        return None
    kind = Kind(kind_name)
    model = ROW_MODELS[kind]
    row = db.session.scalar(select(model).where(model.id == row_id, model.village_code == village_code))
    if row is None:
        return None
    code = row.village_code
    endpoint, args = {
        Kind.LEDGER: lambda: ("portal.ledger", {"code": code, "month": row.month}),
        Kind.SUBSIDIES: lambda: ("portal.subsidies", {"code": code, "item": row.item, "month": row.month}),
        Kind.PROJECTS: lambda: ("portal.project", {"code": code, "project_no": row.project_no}),
        Kind.CONTRACTS: lambda: ("portal.contracts", {"code": code}),
    }[kind]()
    current = row.superseded_by_batch_id is None and not row.withdrawn
    return ItemLocation(endpoint, args, row.batch_id, current)
