"""Rent arrears (租金欠收): a lease's rent received is less than the installments already due."""

from sqlalchemy import Integer, and_, case, cast, func, select

from disclosures.models import Contract as C
from disclosures.models import LedgerEntry as L
from rules.hits import RunContext, county_prefix, hit, hits
from disclosures.public import is_public
from rules.sql import cents, day_of, days_in_month, month_of, year_of

RENT_CATEGORY = "发包及上交收入"
MONTHS_PER_PERIOD = {"年": 12, "半年": 6, "季": 3, "月": 1}


def _months(cycle):
    return case(*[(cycle == word, months) for word, months in MONTHS_PER_PERIOD.items()], else_=1)


def installments_due(start, cutoff, cycle):
    """How many installments fall on or before `cutoff`: the first on `start`, each next one a
    period later on the same day of the month, or the month's last day where it is shorter."""
    months = (year_of(cutoff) - year_of(start)) * 12 + month_of(cutoff) - month_of(start)
    due_day = case((day_of(start) < days_in_month(cutoff), day_of(start)), else_=days_in_month(cutoff))
    whole = months - case((due_day <= day_of(cutoff), 0), else_=1)
    return case((cutoff < start, 0), (whole < 0, 0), else_=whole // _months(cycle) + 1)


def installment_cents(annual_rent, cycle):
    """年租金 × (1, ½, ¼ or 1/12) in fen, rounded half up, in integers on every database."""
    per_year = 12 // _months(cycle)
    return (cents(annual_rent) * 2 + per_year) // (2 * per_year)


def rent_arrears(run: RunContext):
    """Rent received (linked 发包及上交收入 up to the as-of date) below the installments due on or
    before the as-of date less the grace days, and not after 终止日期."""
    params = run.params
    received = (
        select(L.village_code, L.link_code, func.sum(cents(L.amount)).label("received"))
        .where(
            is_public(L),
            L.direction == "income",
            L.category == RENT_CATEGORY,
            L.link_code != "",
            L.entry_on <= run.as_of,
        )
        .group_by(L.village_code, L.link_code)
        .subquery()
    )
    cutoff = case((C.end_on < params.c.rent_cutoff, C.end_on), else_=params.c.rent_cutoff)
    expected = cast(installments_due(C.start_on, cutoff, C.pay_cycle), Integer) * installment_cents(
        C.annual_rent, C.pay_cycle
    )
    behind = (
        select(C.id, C.village_code, C.contract_no)
        .join(params, params.c.prefix == county_prefix(C.village_code))
        .outerjoin(received, and_(received.c.village_code == C.village_code, received.c.link_code == C.contract_no))
        .where(is_public(C), func.coalesce(received.c.received, 0) < expected)
        .cte("behind")
    )
    payments = (
        select(behind.c.village_code, behind.c.contract_no, L.id)
        .join(L, and_(L.village_code == behind.c.village_code, L.link_code == behind.c.contract_no))
        .where(is_public(L), L.direction == "income", L.category == RENT_CATEGORY, L.entry_on <= run.as_of)
        .subquery()
    )
    return hits(
        hit(behind.c.village_code, behind.c.contract_no, None, "contracts", behind.c.id),
        hit(payments.c.village_code, payments.c.contract_no, None, "ledger_entries", payments.c.id),
    )
