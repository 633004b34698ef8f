"""Each county's rule parameters, and their form as two tiny tables a rule's query joins on a
village's six-digit county prefix (so one run serves a province of counties, each its own way)."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import CTE, Date, Integer, Numeric, String, false, literal, select, union_all

from core.extensions import db
from core.regions.models import Level, Region
from core.settings import settings_for
from rules.models import RuleSettings
from rules.sql import date_value

PAIR_SEPARATOR = "×"
DEFAULT_PAIRS = "最低生活保障金×特困人员供养金"


@dataclass(frozen=True)
class CountyRuleParams:
    county_code: str
    approval_threshold: Decimal
    split_window_days: int
    rent_grace_days: int
    exclusive_pairs: tuple[tuple[str, str], ...]


def parse_pairs(text: str) -> tuple[tuple[str, str], ...]:
    """'甲×乙' lines as (甲, 乙) pairs; blank lines skipped (the form has checked the rest)."""
    pairs = []
    for line in text.splitlines():
        parts = [
            part.strip()
            for part in line.replace("x", PAIR_SEPARATOR).replace("X", PAIR_SEPARATOR).split(PAIR_SEPARATOR)
        ]
        if len(parts) == 2 and all(parts):
            pairs.append((parts[0], parts[1]))
    return tuple(pairs)


def rule_settings_for(county_code: str) -> RuleSettings:
    """A county's stored rule settings, or the defaults (not added to the session)."""
    return db.session.get(RuleSettings, county_code) or RuleSettings(
        county_code=county_code, split_window_days=7, rent_grace_days=30, exclusive_pairs=DEFAULT_PAIRS
    )


def county_params(county_code: str) -> CountyRuleParams:
    stored = rule_settings_for(county_code)
    return CountyRuleParams(
        county_code,
        settings_for(county_code).approval_threshold,
        stored.split_window_days,
        stored.rent_grace_days,
        parse_pairs(stored.exclusive_pairs),
    )


def all_county_params() -> list[CountyRuleParams]:
    counties = db.session.scalars(select(Region.code).where(Region.level == Level.COUNTY).order_by(Region.code))
    return [county_params(code) for code in counties]


def params_table(counties: list[CountyRuleParams], as_of: date) -> CTE:
    """prefix, approval_threshold, split_days, rent_cutoff: one row per county."""
    rows = [
        select(
            literal(county.county_code[:6], String(6)).label("prefix"),
            literal(county.approval_threshold, Numeric(14, 2)).label("approval_threshold"),
            literal(county.split_window_days, Integer).label("split_days"),
            date_value(literal(as_of - timedelta(days=county.rent_grace_days), Date)).label("rent_cutoff"),
        )
        for county in counties
    ]
    return _table(
        rows,
        select(
            literal("", String(6)).label("prefix"),
            literal(0, Numeric(14, 2)).label("approval_threshold"),
            literal(0, Integer).label("split_days"),
            date_value(literal(as_of, Date)).label("rent_cutoff"),
        ),
        "rule_params",
    )


def pairs_table(counties: list[CountyRuleParams]) -> CTE:
    """prefix, item_a, item_b: each county's exclusive pairs."""
    rows = [
        select(
            literal(county.county_code[:6], String(6)).label("prefix"),
            literal(a, String(32)).label("item_a"),
            literal(b, String(32)).label("item_b"),
        )
        for county in counties
        for a, b in county.exclusive_pairs
    ]
    return _table(
        rows,
        select(
            literal("", String(6)).label("prefix"),
            literal("", String(32)).label("item_a"),
            literal("", String(32)).label("item_b"),
        ),
        "rule_pairs",
    )


def _table(rows: list, empty, name: str) -> CTE:
    if not rows:
        return empty.where(false()).cte(name)
    return (rows[0] if len(rows) == 1 else union_all(*rows)).cte(name)
