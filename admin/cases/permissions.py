"""Which staff may see and work a case — written once, used by views, templates and queries.

During an inspection round its reports belong to the round's team; after the round (or when a
report came late) they pass to the handlers of the case's region. Supervised people (accountants,
reviewers) never see a case. A declared conflict of interest keeps a user off the case.
"""
from datetime import date

from sqlalchemy import ColumnElement, and_, exists, false, not_, select

from admin.models import CaseConflict
from complaints.models import Complaint, InspectionRound, round_members
from core.extensions import db
from core.users.models import Role, User
from core.users.permissions import in_scope, scope_filter


def _round_active(case: Complaint, today: date) -> bool:
    return (case.inspection_round is not None and not case.is_late_for_round
            and today <= case.inspection_round.ends_on)


def _conflicted(user: User, case: Complaint) -> bool:
    return bool(db.session.scalar(select(CaseConflict.id).where(
        CaseConflict.complaint_id == case.id, CaseConflict.user_id == user.id)))


def can_see_case(user: User, case: Complaint, today: date) -> bool:
    """Handlers in scope, the round's inspectors while it runs, administrators; never the conflicted."""
    if user.role in (Role.ACCOUNTANT, Role.REVIEWER) or _conflicted(user, case):
        return False
    if user.role == Role.INSPECTOR:
        return _round_active(case, today) and user in case.inspection_round.members
    if user.role == Role.HANDLER:
        return in_scope(user, case.village_code) and not _round_active(case, today)
    return user.role == Role.ADMIN and in_scope(user, case.village_code)


def can_work_case(user: User, case: Complaint, today: date) -> bool:
    """Acting on a case is for handlers and inspectors who may see it (administrators only look)."""
    return user.role in (Role.HANDLER, Role.INSPECTOR) and can_see_case(user, case, today)


def can_decide_requests(user: User, case: Complaint, today: date) -> bool:
    """Leads approve identity requests and extensions for cases in their scope."""
    return user.role == Role.HANDLER and user.is_lead and can_see_case(user, case, today)


def visible_cases(user: User, today: date) -> ColumnElement[bool]:
    """The same rule as can_see_case, as an SQL condition on Complaint for the queue."""
    if user.role in (Role.ACCOUNTANT, Role.REVIEWER):
        return false()
    not_conflicted = not_(exists().where(CaseConflict.complaint_id == Complaint.id,
                                         CaseConflict.user_id == user.id))
    round_running = and_(Complaint.round_id.is_not(None), Complaint.is_late_for_round.is_(False),
                         exists().where(InspectionRound.id == Complaint.round_id,
                                        InspectionRound.ends_on >= today))
    if user.role == Role.INSPECTOR:
        member = exists().where(round_members.c.round_id == Complaint.round_id,
                                round_members.c.user_id == user.id)
        return and_(round_running, member, not_conflicted)
    if user.role == Role.HANDLER:
        return and_(scope_filter(user, Complaint.village_code), not_(round_running), not_conflicted)
    return and_(scope_filter(user, Complaint.village_code), not_conflicted) if user.role == Role.ADMIN else false()



