"""Rules on subsidy payments: against the rosters, and against each other."""

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import aliased

from disclosures.models import SubsidyPayment as S
from rules.hits import RunContext, county_prefix, current_roster, hit, hits
from rules.rosters.models import CadreEntry, DeceasedPerson, PublicEmployee, RosterKind, SubsidyStandard
from disclosures.public import is_public

PAYMENTS = "subsidy_payments"
PUBLIC_EMPLOYEE_ITEMS = ("最低生活保障金", "特困人员供养金", "乡村公益性岗位补贴", "职业技能培训补贴")
CADRE_ITEMS = ("最低生活保障金", "特困人员供养金", "乡村公益性岗位补贴")


def _paid(run: RunContext, payment=S):
    """Payments that count as of the run's date."""
    return and_(is_public(payment), payment.paid_on <= run.as_of)


def deceased_recipient(run: RunContext):
    """Paid for a month after the month of death (the month of death itself is allowed)."""
    found = (
        select(S.village_code, S.id_hash, S.id_cipher, S.id.label("payment"), DeceasedPerson.id.label("person"))
        .join(DeceasedPerson, DeceasedPerson.id_hash == S.id_hash)
        .where(_paid(run), current_roster(DeceasedPerson, RosterKind.DECEASED), S.month > DeceasedPerson.died_month)
        .cte("deceased_paid")
    )
    return _payment_against(found, "roster_deceased", found.c.person)


def exclusive_benefits(run: RunContext):
    """Two items of one of the county's exclusive pairs, in the same month."""
    first, second, pairs = aliased(S), aliased(S), run.pairs
    found = (
        select(first.id.label("first"), second.id.label("second"))
        .join(pairs, and_(pairs.c.prefix == county_prefix(first.village_code), pairs.c.item_a == first.item))
        .join(second, and_(second.id_hash == first.id_hash, second.month == first.month, second.item == pairs.c.item_b))
        .where(_paid(run, first), _paid(run, second))
        .cte("exclusive_paid")
    )
    rows = select(S).where(or_(S.id.in_(select(found.c.first)), S.id.in_(select(found.c.second)))).subquery()
    return hit(rows.c.village_code, rows.c.id_hash, rows.c.id_cipher, PAYMENTS, rows.c.id)


def duplicate_payment(run: RunContext):
    """The same item for the same month paid to one person more than once."""
    repeated = (
        select(S.id_hash, S.item, S.month)
        .where(_paid(run))
        .group_by(S.id_hash, S.item, S.month)
        .having(func.min(S.id) != func.max(S.id))
        .subquery()
    )
    rows = (
        select(S.village_code, S.id_hash, S.id_cipher, S.id)
        .join(repeated, and_(repeated.c.id_hash == S.id_hash, repeated.c.item == S.item, repeated.c.month == S.month))
        .where(_paid(run))
        .subquery()
    )
    return hit(rows.c.village_code, rows.c.id_hash, rows.c.id_cipher, PAYMENTS, rows.c.id)


def over_standard(run: RunContext):
    """One payment above the most the standard in force for its item and month allows."""
    in_force = (
        select(
            SubsidyStandard.id,
            SubsidyStandard.item,
            SubsidyStandard.from_month,
            SubsidyStandard.max_amount,
            func.lead(SubsidyStandard.from_month)
            .over(partition_by=SubsidyStandard.item, order_by=SubsidyStandard.from_month)
            .label("until"),
        )
        .where(current_roster(SubsidyStandard, RosterKind.STANDARDS))
        .subquery()
    )
    found = (
        select(S.village_code, S.id_hash, S.id_cipher, S.id.label("payment"), in_force.c.id.label("standard"))
        .join(
            in_force,
            and_(
                in_force.c.item == S.item,
                in_force.c.from_month <= S.month,
                or_(in_force.c.until.is_(None), S.month < in_force.c.until),
            ),
        )
        .where(_paid(run), S.amount > in_force.c.max_amount)
        .cte("over_standard")
    )
    return _payment_against(found, "roster_standards", found.c.standard)


def public_employee_recipient(run: RunContext):
    """A person on the public-employee roster paid an item meant for people without a salary."""
    found = (
        select(S.village_code, S.id_hash, S.id_cipher, S.id.label("payment"), PublicEmployee.id.label("person"))
        .join(PublicEmployee, PublicEmployee.id_hash == S.id_hash)
        .where(
            _paid(run), current_roster(PublicEmployee, RosterKind.PUBLIC_EMPLOYEES), S.item.in_(PUBLIC_EMPLOYEE_ITEMS)
        )
        .cte("employee_paid")
    )
    return _payment_against(found, "roster_public_employees", found.c.person)


def cadre_relative_recipient(run: RunContext):
    """A cadre of the village, or kin listed for one, paid a means-tested item by that village."""
    found = (
        select(S.village_code, S.id_hash, S.id_cipher, S.id.label("payment"), CadreEntry.id.label("person"))
        .join(CadreEntry, and_(CadreEntry.id_hash == S.id_hash, CadreEntry.village_code == S.village_code))
        .where(_paid(run), current_roster(CadreEntry, RosterKind.CADRES), S.item.in_(CADRE_ITEMS))
        .cte("cadre_paid")
    )
    return _payment_against(found, "roster_cadres", found.c.person)


def shared_bank_account(run: RunContext):
    """One account paid for two or more people in the same village."""
    shared = (
        select(S.village_code, S.account_hash)
        .where(_paid(run), S.account_hash.is_not(None))
        # two different people: cheaper as MIN <> MAX than as COUNT(DISTINCT) > 1
        .group_by(S.account_hash, S.village_code)
        .having(func.min(S.id_hash) != func.max(S.id_hash))
        .subquery()
    )
    rows = (
        select(S.village_code, S.account_hash, S.account_cipher, S.id)
        .join(shared, and_(shared.c.village_code == S.village_code, shared.c.account_hash == S.account_hash))
        .where(_paid(run))
        .subquery()
    )
    return hit(rows.c.village_code, rows.c.account_hash, rows.c.account_cipher, PAYMENTS, rows.c.id)


def _payment_against(found, source: str, row_id):
    """A payment rule's evidence for one person: the payment and the row it contradicts."""
    person = (found.c.village_code, found.c.id_hash, found.c.id_cipher)
    return hits(hit(*person, PAYMENTS, found.c.payment), hit(*person, source, row_id))
