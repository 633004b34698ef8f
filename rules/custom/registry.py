"""The saved custom rules, as rules a run applies (rules/registry.py's Rule)."""

from functools import partial

from sqlalchemy import select

from complaints.models import Category
from core.extensions import db
from rules.custom.builder import form_query
from rules.custom.catalog import KEYS
from rules.custom.models import CustomRule
from rules.custom.sql_rule import run_sql
from rules.registry import Rule

CATEGORIES = {
    "subsidy_payments": Category.SUBSIDY,
    "ledger_entries": Category.FUNDS,
    "project_updates": Category.PROJECT,
    "contracts": Category.ASSET,
}


def as_rule(custom: CustomRule) -> Rule:
    """A custom rule in the shape every rule has."""
    definition = custom.definition_dict
    if custom.kind == "sql":
        return Rule(
            custom.code,
            custom.grade,
            "对象",
            custom.title,
            custom.description,
            Category.OTHER,
            None,
            fetch=lambda _context, sql=definition.get("sql", ""): run_sql(sql),
        )
    subject = definition.get("subject", "")
    return Rule(
        custom.code,
        custom.grade,
        subject if subject in KEYS else "对象",
        custom.title,
        custom.description,
        CATEGORIES.get(definition.get("base"), Category.OTHER),
        partial(form_query, definition),
    )


def custom_rules() -> list[Rule]:
    """The current version of every enabled custom rule."""
    return [
        as_rule(custom)
        for custom in db.session.scalars(
            select(CustomRule).where(CustomRule.is_enabled.is_(True)).order_by(CustomRule.code)
        )
    ]
