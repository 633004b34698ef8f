"""Rules on village projects and the ledger payments linked to them."""

from sqlalchemy import and_, func, or_, select

from disclosures.models import LedgerEntry as L
from disclosures.models import ProjectUpdate as P
from rules.hits import RunContext, hit, hits
from disclosures.public import is_public
from rules.sql import cents

UPDATES, LEDGER = "project_updates", "ledger_entries"


def latest_updates(run: RunContext):
    """Each project's latest update as of the run's date (ties: the later upload)."""
    ranked = (
        select(
            P.id,
            P.village_code,
            P.project_no,
            P.budget,
            P.paid_total,
            P.approved_on,
            func.row_number()
            .over(
                partition_by=(P.village_code, P.project_no),
                order_by=(P.updated_on.desc(), P.batch_id.desc(), P.id.desc()),
            )
            .label("rank"),
        )
        .where(is_public(P), P.updated_on <= run.as_of)
        .subquery()
    )
    return select(ranked).where(ranked.c.rank == 1).subquery("latest")


def _linked_expenses(run: RunContext):
    return and_(is_public(L), L.direction == "expense", L.link_code != "", L.entry_on <= run.as_of)


def project_over_budget(run: RunContext):
    """累计支付 of the latest update, or the linked expenses together, above the budget."""
    latest = latest_updates(run)
    spent = (
        select(L.village_code, L.link_code, func.sum(cents(L.amount)).label("spent"))
        .where(_linked_expenses(run))
        .group_by(L.village_code, L.link_code)
        .subquery()
    )
    over = (
        select(
            latest.c.id,
            latest.c.village_code,
            latest.c.project_no,
            (func.coalesce(spent.c.spent, 0) > cents(latest.c.budget)).label("ledger_over"),
        )
        .outerjoin(spent, and_(spent.c.village_code == latest.c.village_code, spent.c.link_code == latest.c.project_no))
        .where(
            or_(
                cents(latest.c.paid_total) > cents(latest.c.budget),
                func.coalesce(spent.c.spent, 0) > cents(latest.c.budget),
            )
        )
        .cte("over_budget")
    )
    payments = (
        select(over.c.village_code, over.c.project_no, L.id)
        .join(L, and_(L.village_code == over.c.village_code, L.link_code == over.c.project_no))
        .where(over.c.ledger_over, _linked_expenses(run))
        .subquery()
    )
    return hits(
        hit(over.c.village_code, over.c.project_no, None, UPDATES, over.c.id),
        hit(payments.c.village_code, payments.c.project_no, None, LEDGER, payments.c.id),
    )


def paid_before_approval(run: RunContext):
    """A linked expense dated before the project's 批复日期."""
    latest = latest_updates(run)
    found = (
        select(latest.c.village_code, latest.c.project_no, latest.c.id.label("project"), L.id.label("payment"))
        .join(L, and_(L.village_code == latest.c.village_code, L.link_code == latest.c.project_no))
        .where(_linked_expenses(run), latest.c.approved_on.is_not(None), L.entry_on < latest.c.approved_on)
        .cte("unapproved")
    )
    return hits(
        hit(found.c.village_code, found.c.project_no, None, UPDATES, found.c.project),
        hit(found.c.village_code, found.c.project_no, None, LEDGER, found.c.payment),
    )
