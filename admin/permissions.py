"""Which audit entries an administrator may read: those about things inside its scope.

An entry names its object by type and id; the object's region decides. Entries about cases
follow the case visibility rule, about accounts the account management rule. Entries about
things that belong to no scope (the holiday calendar, reply templates, a whole-queue export)
are for unscoped administrators only."""

from datetime import date

from sqlalchemy import ColumnElement, String, and_, cast, exists, false, or_, true

from admin.models import Department
from admin.queries import managed_users
from complaints.models import Complaint, InspectionRound
from complaints.permissions import visible_cases
from core.audit import AuditEntry
from core.users.models import Role, User
from core.users.permissions import is_unscoped_admin, scope_filter
from disclosures.models import ROW_MODELS, Batch


def _about(target_type: str, model, region_column, user: User) -> ColumnElement[bool]:
    """Entries about a `model` row (named by its id) whose region lies in the user's scope."""
    return and_(
        AuditEntry.target_type == target_type,
        exists().where(cast(model.id, String) == AuditEntry.target_id, scope_filter(user, region_column)),
    )


def visible_audit_entries(user: User, today: date) -> ColumnElement[bool]:
    """An SQL condition on AuditEntry: the entries this administrator may read."""
    if user.role != Role.ADMIN:
        return false()
    if is_unscoped_admin(user):
        return true()
    target = AuditEntry.target_id
    # A staff registration names its case by number, everything else by id.
    case_seen = exists().where(
        or_(cast(Complaint.id, String) == target, Complaint.code == target), visible_cases(user, today)
    )
    return or_(
        and_(AuditEntry.target_type == "complaint", case_seen),
        _about("batch", Batch, Batch.village_code, user),
        *(_about(kind.value, model, model.village_code, user) for kind, model in ROW_MODELS.items()),
        _about("department", Department, Department.county_code, user),
        _about("inspection_round", InspectionRound, InspectionRound.county_code, user),
        and_(AuditEntry.target_type.in_(("county", "region")), scope_filter(user, target)),
        and_(AuditEntry.target_type == "user", target.in_([str(account.id) for account in managed_users(user)])),
    )
