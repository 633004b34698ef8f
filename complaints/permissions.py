"""Who may see a case — written once, used by every path that returns case data: the back
office's pages, queue, dashboard, exports and PDFs, and the files served under /track.

During an inspection round its reports belong to the round's team; after the round (or when a
report came late) they pass to the handlers of the case's region. Supervised people (accountants,
reviewers) never see a case. A declared conflict of interest keeps a user off the case.
"""

from datetime import date

from sqlalchemy import ColumnElement, and_, false, not_, select

from complaints.models import CaseConflict, Complaint, InspectionRound
from core.extensions import db
from core.users.models import Role, User
from core.users.permissions import in_scope, scope_filter


def _round_active(case: Complaint, today: date) -> bool:
    return case.inspection_round is not None and not case.is_late_for_round and today <= case.inspection_round.ends_on


def _conflicted(user: User, case: Complaint) -> bool:
    return bool(
        db.session.scalar(
            select(CaseConflict.id).where(CaseConflict.complaint_id == case.id, CaseConflict.user_id == user.id)
        )
    )


def can_see_case(user, case: Complaint, today: date) -> bool:
    """Handlers in scope, the round's inspectors while it runs, administrators; never the conflicted.
    Anyone not signed in (an anonymous visitor) sees nothing here."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.role in (Role.ACCOUNTANT, Role.REVIEWER) or _conflicted(user, case):
        return False
    if user.role == Role.INSPECTOR:
        return _round_active(case, today) and user in case.inspection_round.members
    if user.role == Role.HANDLER:
        return in_scope(user, case.village_code) and not _round_active(case, today)
    return user.role == Role.ADMIN and in_scope(user, case.village_code)


def can_open_files(user, opened: Complaint | None, case: Complaint, today: date) -> bool:
    """A case's photos and recordings: for the complainant who opened this very case with its
    number and secret, and for staff who may see the case."""
    return (opened is not None and opened.id == case.id) or can_see_case(user, case, today)


def visible_cases(user: User, today: date) -> ColumnElement[bool]:
    """The same rule as can_see_case, as an SQL condition on Complaint for the queue.

    The running rounds (a handful) and the user's conflicts (a few cases) are read first and
    inlined as id lists: a correlated EXISTS over them kept PostgreSQL from parallel plans on
    the dashboard and cost a probe per case (bench/README.md, "Back office")."""
    if user.role not in (Role.HANDLER, Role.INSPECTOR, Role.ADMIN):
        return false()
    conflicted = db.session.scalars(select(CaseConflict.complaint_id).where(CaseConflict.user_id == user.id)).all()
    conditions = [Complaint.id.not_in(sorted(set(conflicted)))] if conflicted else []
    running = select(InspectionRound.id).where(InspectionRound.ends_on >= today)
    if user.role == Role.INSPECTOR:
        running = running.where(InspectionRound.members.any(User.id == user.id))
    round_ids = sorted(db.session.scalars(running).all())
    round_running = (
        and_(Complaint.round_id.is_not(None), Complaint.is_late_for_round.is_(False), Complaint.round_id.in_(round_ids))
        if round_ids
        else false()
    )
    if user.role == Role.INSPECTOR:
        return and_(round_running, *conditions)
    conditions.insert(0, scope_filter(user, Complaint.village_code))
    if user.role == Role.HANDLER and round_ids:
        conditions.append(not_(round_running))
    return and_(*conditions)
