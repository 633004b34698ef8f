"""Who may act on a case in the back office. Who may see one is complaints/permissions.py's
can_see_case: every rule here starts from it."""

from datetime import date

from complaints.models import Complaint
from complaints.permissions import can_see_case
from core.users.models import Role, User


def can_work_case(user: User, case: Complaint, today: date) -> bool:
    """Acting on a case is for handlers and inspectors who may see it (administrators only look)."""
    return user.role in (Role.HANDLER, Role.INSPECTOR) and can_see_case(user, case, today)


def can_decide_requests(user: User, case: Complaint, today: date) -> bool:
    """Leads approve identity requests and extensions for cases in their scope."""
    return user.role == Role.HANDLER and user.is_lead and can_see_case(user, case, today)
