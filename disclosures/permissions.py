"""Who may upload, review and see a village's disclosure batches."""

from core.settings import settings_for
from core.users.models import Role, User
from core.users.permissions import in_scope
from disclosures.models import Batch


def uploads_disclosures(user: User) -> bool:
    """Accountants and administrators put data up (each within their scope: can_upload)."""
    return user.role in (Role.ACCOUNTANT, Role.ADMIN)


def can_upload(user: User, village_code: str) -> bool:
    """Accountants for their villages; administrators within their scope."""
    return uploads_disclosures(user) and in_scope(user, village_code)


def can_review(user: User, batch: Batch) -> bool:
    """The county's reviewers for the village (township or 村务监督委员会), never the uploader."""
    if batch.uploaded_by_id is not None and batch.uploaded_by_id == user.id:
        return False
    if user.role == Role.ADMIN:
        return in_scope(user, batch.village_code)
    if user.role != Role.REVIEWER or not in_scope(user, batch.village_code):
        return False
    level = settings_for(batch.village_code).reviewer_level
    return any(region.level == level for region in user.regions if batch.village_code.startswith(region.prefix))


def can_view_batch(user: User, batch: Batch) -> bool:
    """Staff whose scope covers the village."""
    return in_scope(user, batch.village_code)
