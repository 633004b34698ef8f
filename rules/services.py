"""Rule use cases for administrators: change a county's rule settings. One transaction each."""

from sqlalchemy import select

from core.audit import record_audit
from core.extensions import db
from core.regions.models import Region
from core.settings import CountySettings, settings_for
from core.transaction import transactional
from disclosures.models import SubsidyItem
from rules.models import RuleSettings
from rules.settings import PAIR_SEPARATOR, parse_pairs, rule_settings_for

FIELDS = ("approval_threshold", "split_window_days", "rent_grace_days", "exclusive_pairs")


class RulesError(ValueError):
    """A request that cannot be carried out; the message is for the user."""


def current_values(county_code: str) -> dict:
    """A county's rule settings as the form shows them."""
    stored = rule_settings_for(county_code)
    return {
        "approval_threshold": settings_for(county_code).approval_threshold,
        "split_window_days": stored.split_window_days,
        "rent_grace_days": stored.rent_grace_days,
        "exclusive_pairs": stored.exclusive_pairs,
    }


@transactional
def save_rule_settings(county: Region, values: dict, *, by) -> None:
    """Store a county's thresholds and exclusive pairs, auditing what changed."""
    pairs = parse_pairs(values["exclusive_pairs"] or "")
    known = set(db.session.scalars(select(SubsidyItem.name)))
    unknown = sorted({item for pair in pairs for item in pair} - known)
    if unknown:
        raise RulesError(f"「{'、'.join(unknown)}」不是系统中登记的补贴项目")
    before = {name: str(value) for name, value in current_values(county.code).items()}
    stored = db.session.get(RuleSettings, county.code) or RuleSettings(county_code=county.code)
    stored.split_window_days, stored.rent_grace_days = values["split_window_days"], values["rent_grace_days"]
    stored.exclusive_pairs = "\n".join(f"{a}{PAIR_SEPARATOR}{b}" for a, b in pairs)
    db.session.add(stored)
    county_settings = db.session.get(CountySettings, county.code)
    if county_settings is None:
        county_settings = settings_for(county.code)
        db.session.add(county_settings)
    county_settings.approval_threshold = values["approval_threshold"]
    after = {name: str(values[name]) for name in FIELDS} | {"exclusive_pairs": stored.exclusive_pairs}
    record_audit(
        "rules.settings",
        target_type="county",
        target_id=county.code,
        actor=by,
        detail={"before": before, "after": after},
    )
    db.session.commit()
