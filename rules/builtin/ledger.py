"""Split expenses (拆分报销规避审批): several small payments to one payee that together need approval."""

from sqlalchemy import and_, func, select
from sqlalchemy.orm import aliased

from disclosures.models import LedgerEntry as L
from rules.hits import RunContext, county_prefix, hit
from disclosures.public import is_public
from rules.sql import cents, day_number

MIN_PAYMENTS = 3


def split_expenses(run: RunContext):
    """Three or more expenses to one 对方单位, each below the approval threshold, within the window
    (first and last at most window − 1 days apart), together at or above it.

    Any qualifying set lies inside the window that starts at its first payment, and that whole
    window qualifies as well (every payment in it is below the threshold, and adding more only
    raises the count and the sum): so the windows that start at each payment are all there is to
    look at."""
    params = run.params
    small = (
        select(
            L.id,
            L.village_code,
            L.counterparty,
            cents(L.amount).label("cents"),
            day_number(L.entry_on).label("day"),
            params.c.split_days,
            cents(params.c.approval_threshold).label("threshold"),
        )
        .join(params, params.c.prefix == county_prefix(L.village_code))
        .where(
            is_public(L),
            L.direction == "expense",
            L.counterparty != "",
            L.entry_on <= run.as_of,
            cents(L.amount) < cents(params.c.approval_threshold),
        )
        .cte("small_expenses")
    )
    first, other = aliased(small, name="first"), aliased(small, name="other")
    windows = (
        select(
            first.c.village_code,
            first.c.counterparty,
            first.c.day.label("start"),
            (first.c.day + first.c.split_days - 1).label("end"),
        )
        .join(
            other,
            and_(
                other.c.village_code == first.c.village_code,
                other.c.counterparty == first.c.counterparty,
                other.c.day >= first.c.day,
                other.c.day <= first.c.day + first.c.split_days - 1,
            ),
        )
        .group_by(
            first.c.id, first.c.village_code, first.c.counterparty, first.c.day, first.c.split_days, first.c.threshold
        )
        .having(and_(func.count() >= MIN_PAYMENTS, func.sum(other.c.cents) >= first.c.threshold))
        .subquery("windows")
    )
    inside = (
        select(small.c.village_code, small.c.counterparty, small.c.id)
        .join(
            windows,
            and_(
                windows.c.village_code == small.c.village_code,
                windows.c.counterparty == small.c.counterparty,
                small.c.day >= windows.c.start,
                small.c.day <= windows.c.end,
            ),
        )
        .subquery("inside")
    )
    return hit(inside.c.village_code, inside.c.counterparty, None, "ledger_entries", inside.c.id)
