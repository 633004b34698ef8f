"""Read helpers for the back-office case pages: colleagues, templates, departments, pending
requests, and clock states — always computed from the stored deadlines and the current time."""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from admin.cases.actions import FINISHED
from admin.cases.permissions import can_work_case
from admin.models import ClockExtension, Decision, Department, IdentityRequest, Referral, ReplyTemplate
from complaints.models import CaseClock, CaseEvent, Channel, ClockKind, Complaint, Status
from complaints.permissions import can_see_case, visible_cases
from core.calendar.clocks import ClockState, clock_state, due_soon_until
from core.extensions import db
from core.regions.models import Level, Region
from core.users.models import Role, User, user_regions
from core.users.permissions import in_scope, scope_filter
from complaints.items import ItemLocation, item_location

FILTER_REGION_LIMIT = 400  # beyond this (a province) the region filter offers townships only
WORKER_ROLES = (Role.HANDLER, Role.INSPECTOR)


@dataclass(frozen=True)
class ReferralRow:
    referral: Referral
    state: ClockState
    pending: ClockExtension | None  # an extension waiting for a lead
    extendable: bool  # a worker may still ask for one


@dataclass(frozen=True)
class QueueRow:
    case: Complaint
    assignee: str
    clock: CaseClock | None
    state: ClockState | None


def covering_codes(code: str) -> list[str]:
    """The region itself, its township and its county: the scopes that reach it."""
    return list(dict.fromkeys([code, code[:9] + "000", code[:6] + "000000"]))


def user_names(ids) -> dict[int, str]:
    """Display names by user id, in one query."""
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    return {u.id: u.display_name or u.username for u in db.session.scalars(select(User).where(User.id.in_(ids)))}


def assignable_users(case: Complaint, today: date) -> list[User]:
    """Handlers whose scope reaches the case and the round's inspectors, if they may work it."""
    reaching = select(user_regions.c.user_id).where(user_regions.c.region_code.in_(covering_codes(case.village_code)))
    candidates = set(
        db.session.scalars(
            select(User).where(User.is_enabled.is_(True), User.role == Role.HANDLER, User.id.in_(reaching))
        )
    )
    if case.inspection_round is not None:
        candidates.update(case.inspection_round.members)
    workers = [user for user in candidates if user.is_enabled and can_work_case(user, case, today)]
    return sorted(workers, key=lambda user: user.username)


def colleagues(user: User) -> list[User]:
    """Handlers and inspectors working in or above the user's scope, for the assignee filter."""
    above = [code for region in user.regions for code in covering_codes(region.code)]
    reaching = select(user_regions.c.user_id).where(
        or_(scope_filter(user, user_regions.c.region_code), user_regions.c.region_code.in_(above))
    )
    return list(
        db.session.scalars(
            select(User)
            .where(User.role.in_(WORKER_ROLES), User.is_enabled.is_(True), User.id.in_(reaching))
            .order_by(User.username)
            .limit(200)
        )
    )


def filter_regions(user: User) -> list[Region]:
    """Townships and villages in the user's scope for the queue's region filter."""
    levels = [Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE]
    found = list(
        db.session.scalars(
            select(Region)
            .where(scope_filter(user, Region.code), Region.level.in_(levels))
            .order_by(Region.code)
            .limit(FILTER_REGION_LIMIT + 1)
        )
    )
    if len(found) > FILTER_REGION_LIMIT:
        found = list(
            db.session.scalars(
                select(Region)
                .where(scope_filter(user, Region.code), Region.level != Level.VILLAGE)
                .order_by(Region.code)
                .limit(FILTER_REGION_LIMIT)
            )
        )
    return found


def queue_rows(cases: list[Complaint], now: datetime) -> list[QueueRow]:
    """Each case with its assignee's name and its nearest running clock's state."""
    names = user_names(case.assignee_id for case in cases)
    soon = due_soon_until(now)
    rows = []
    for case in cases:
        nearest = next(
            (c for c in case.clocks if c.met_at is None and c.paused_at is None and c.due_at == case.next_due_at), None
        )
        state = clock_state(nearest.due_at, None, now, soon_until=soon) if nearest else None
        rows.append(QueueRow(case, names.get(case.assignee_id, ""), nearest, state))
    return rows


def queue_options():
    """Loader options for a page of the queue: villages, their townships and clocks in a few queries."""
    return (selectinload(Complaint.village).selectinload(Region.parent), selectinload(Complaint.clocks))


def clock_rows(case: Complaint, now: datetime) -> list[tuple[CaseClock, ClockState]]:
    """Each clock of the case with its state at `now`."""
    soon = due_soon_until(now)
    return [(clock, clock_state(clock.due_at, clock.met_at, now, soon_until=soon)) for clock in case.clocks]


def referral_rows(case: Complaint, now: datetime) -> list[ReferralRow]:
    """The case's referrals with the state of each one's answer clock and its extension request."""
    referrals = db.session.scalars(
        select(Referral)
        .where(Referral.complaint_id == case.id)
        .options(selectinload(Referral.department))
        .order_by(Referral.id)
    ).all()
    pending = {
        e.referral_id: e
        for e in db.session.scalars(
            select(ClockExtension).where(
                ClockExtension.complaint_id == case.id,
                ClockExtension.referral_id.is_not(None),
                ClockExtension.status == Decision.PENDING,
            )
        )
    }
    soon = due_soon_until(now)
    return [
        ReferralRow(
            r,
            clock_state(r.due_at, r.answered_at, now, soon_until=soon),
            pending.get(r.id),
            r.answered_at is None and not r.extension_days and r.id not in pending,
        )
        for r in referrals
    ]


def timeline(case: Complaint) -> list[tuple[CaseEvent, str]]:
    """Every event, public and internal, with the staff member's name for the back office."""
    events = list(
        db.session.scalars(
            select(CaseEvent).where(CaseEvent.complaint_id == case.id).order_by(CaseEvent.at, CaseEvent.id)
        )
    )
    names = user_names(event.actor_id for event in events)
    return [(event, names.get(event.actor_id, "")) for event in events]


def templates_for(category: str) -> list[ReplyTemplate]:
    """Reply templates of a category, and those for any category."""
    return list(
        db.session.scalars(
            select(ReplyTemplate)
            .where(ReplyTemplate.category.in_([category, ""]))
            .order_by(ReplyTemplate.category.desc(), ReplyTemplate.title)
        )
    )


def active_departments(village_code: str) -> list[Department]:
    """The departments of the case's county a handler may refer to."""
    return list(
        db.session.scalars(
            select(Department)
            .where(Department.county_code == village_code[:6] + "000000", Department.is_active.is_(True))
            .order_by(Department.name)
        )
    )


def latest_identity_request(case: Complaint, user: User) -> IdentityRequest | None:
    """The user's most recent identity request on the case, whatever its outcome."""
    return db.session.scalar(
        select(IdentityRequest)
        .where(IdentityRequest.complaint_id == case.id, IdentityRequest.requester_id == user.id)
        .order_by(IdentityRequest.id.desc())
        .limit(1)
    )


def pending_identity_requests(user: User, today: date, case: Complaint | None = None):
    """(request, case) pairs a lead may decide: in scope, pending, never their own."""
    return _decidable(IdentityRequest, IdentityRequest.requester_id, user, today, case)


def pending_extensions(user: User, today: date, case: Complaint | None = None):
    """(extension, case) pairs a lead may decide: in scope, pending, never their own."""
    return _decidable(
        ClockExtension,
        ClockExtension.requested_by_id,
        user,
        today,
        case,
        selectinload(ClockExtension.referral).selectinload(Referral.department),
    )


def _decidable(model, requester, user: User, today: date, case: Complaint | None, *options):
    """(request, case) pairs of a request model that a lead may decide, oldest first."""
    stmt = (
        select(model, Complaint)
        .join(Complaint, Complaint.id == model.complaint_id)
        .where(model.status == Decision.PENDING, requester != user.id, visible_cases(user, today))
        .order_by(model.id)
        .options(*options)
    )
    if case is not None:
        stmt = stmt.where(Complaint.id == case.id)
    return db.session.execute(stmt).all()


def pending_extension(case: Complaint) -> ClockExtension | None:
    """A request to extend the case's statutory limit still waiting for a lead."""
    return db.session.scalar(
        select(ClockExtension)
        .where(
            ClockExtension.complaint_id == case.id,
            ClockExtension.clock_id.is_not(None),
            ClockExtension.status == Decision.PENDING,
        )
        .limit(1)
    )


def case_by_code(code: str) -> Complaint | None:
    """A case by its number (the caller checks that the user may see it)."""
    return db.session.scalar(select(Complaint).where(Complaint.code == code.strip()))


def merged_into(case: Complaint) -> Complaint | None:
    """The case this one was merged into, if any."""
    return db.session.get(Complaint, case.merged_into_id) if case.merged_into_id else None


def suggested_reply_kind(case: Complaint) -> str:
    """A first reply until the 3-day clock is met, then a progress notice."""
    reply = case.clock(ClockKind.REPLY)
    return "first_reply" if reply is not None and reply.met_at is None else "progress"


def offered_actions(case: Complaint, user: User, today: date) -> set[str]:
    """Which action forms the case page offers the user; the services still decide each request."""
    if not can_work_case(user, case, today):
        return {"conflict"} if can_see_case(user, case, today) else set()
    if case.channel == Channel.WARNING:
        return _warning_actions(case)
    offered = {"note", "conflict"} | ({"identity"} if case.is_real_name else set())
    if case.status not in FINISHED:
        offered |= {"assign", "reply", "refer", "merge", "close", "referral_extension"}
        legal = case.clock(ClockKind.LEGAL)
        if legal is not None and legal.met_at is None and not legal.extension_days and pending_extension(case) is None:
            offered.add("extension")
    if case.status == Status.AWAITING_INFO:
        offered.add("material")
    if case.status == Status.CLOSED:
        feedback = case.clock(ClockKind.FEEDBACK)
        offered |= {"reopen"} | ({"feedback"} if feedback is not None and feedback.met_at is None else set())
    return offered


def _warning_actions(case: Complaint) -> set[str]:
    """A warning has no complainant: no public reply, material, extension, identity or feedback."""
    offered = {"note", "conflict"}
    if case.status not in FINISHED:
        offered |= {"assign", "refer", "merge", "close"}
        if not any(event.kind == "verify_started" for event in case.events):
            offered.add("verify")
    return offered


# Who may open a batch page (disclosures/routes.py STAFF); inspectors see the public page only.
BATCH_VIEWERS = (Role.HANDLER, Role.ADMIN)


def questioned_item(case: Complaint, user: User) -> tuple[ItemLocation | None, bool]:
    """The disclosed row the complaint is about, and whether the user may open its batch."""
    location = item_location(case.item_kind, case.item_id, case.village_code)
    return location, bool(location) and user.role in BATCH_VIEWERS and in_scope(user, case.village_code)
