"""What a correction batch does, as the reviewer must see it before approving: each row a 更正
(new values for a published row) or a 撤回 (the row taken back), its old values against the new,
and how the public totals move. A withdrawal's row repeats the old values, so summing it as an
upload's rows would count a withdrawn expense as a new one."""

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import aliased

from core.extensions import db
from disclosures.models import ROW_MODELS, Batch, Kind
from disclosures.preview import PREVIEW_COLUMNS, display_value, totals


@dataclass(frozen=True)
class Field:
    heading: str
    old: str
    new: str  # empty for a withdrawal

    @property
    def changed(self) -> bool:
        return self.old != self.new


@dataclass(frozen=True)
class Revision:
    row_number: int
    withdrawn: bool
    fields: list[Field]

    @property
    def action(self) -> str:
        return "撤回" if self.withdrawn else "更正"


@dataclass(frozen=True)
class CorrectionSummary:
    revisions: list[Revision]
    effect: list[str]  # how the public totals move once approved

    @property
    def action(self) -> str:
        """撤回 when every row is taken back, else 更正."""
        return "撤回" if self.revisions and all(r.withdrawn for r in self.revisions) else "更正"


def correction_summary(batch: Batch) -> CorrectionSummary:
    """The correction batch's rows against the rows they replace."""
    kind = batch.kind
    model = ROW_MODELS[kind]
    replaced = aliased(model)
    pairs = db.session.execute(
        select(model, replaced)
        .join(replaced, replaced.id == model.replaces_id)
        .where(model.batch_id == batch.id)
        .order_by(model.row_number, model.id)
    ).all()
    revisions = [
        Revision(
            new.row_number,
            new.withdrawn,
            [
                Field(heading, display_value(old, key), "" if new.withdrawn else display_value(new, key))
                for key, heading in PREVIEW_COLUMNS[kind]
            ],
        )
        for new, old in pairs
    ]
    before = totals(kind, [old for _, old in pairs])
    after = totals(kind, [new for new, _ in pairs if not new.withdrawn])
    return CorrectionSummary(revisions, _effect(kind, before, after))


def _moved(label: str, change: Decimal) -> str:
    if not change:
        return f"{label}不变"
    return f"{label}{'增加' if change > 0 else '减少'} {abs(change):,.2f} 元"


def _effect(kind: Kind, before, after) -> list[str]:
    if kind == Kind.LEDGER:
        return [
            _moved("收入合计", after.income - before.income),
            _moved("支出合计", after.expense - before.expense),
            _moved("收支相抵", (after.income - after.expense) - (before.income - before.expense)),
        ]
    if kind == Kind.SUBSIDIES:
        return [_moved("发放金额合计", after.amount - before.amount)]
    return []
