"""What every rule's query returns: evidence rows (village, subject key, subject cipher, source
table, row id), and the small helpers the queries share."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import CTE, Select, String, Text, cast, func, literal, null, select, union

from rules.rosters.models import RosterKind, RosterVersion

COLUMNS = ("village_code", "subject_key", "subject_cipher", "source", "row_id")


@dataclass(frozen=True)
class RunContext:
    """What a run gives every rule: its as-of date and the counties' parameters as tables."""

    as_of: date
    params: CTE  # prefix, approval_threshold, split_days, rent_cutoff
    pairs: CTE  # prefix, item_a, item_b


def hit(village, key, cipher, source: str, row_id) -> Select:
    """One kind of evidence row; combine several with hits()."""
    return select(
        village.label("village_code"),
        key.label("subject_key"),
        (cast(null(), Text) if cipher is None else cipher).label("subject_cipher"),
        literal(source, String(32)).label("source"),
        row_id.label("row_id"),
    )


def hits(*selects: Select) -> Select:
    """The evidence rows of a rule, each once."""
    return selects[0] if len(selects) == 1 else union(*selects)


def current_roster(model, kind: RosterKind):
    """Rows of the kind's current version only."""
    return model.version_id == (
        select(RosterVersion.id).where(RosterVersion.kind == kind, RosterVersion.is_current.is_(True)).scalar_subquery()
    )


def county_prefix(village_code):
    """The six digits that name a village's county (what the parameter tables are keyed on)."""
    return func.substr(village_code, 1, 6)
