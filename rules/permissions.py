"""Who may see and manage rosters and rules — written once, used by views and templates.

Rosters name people (the deceased, public employees, cadres' kin): commission staff only, that is
administrators and county-level handler leads; supervised people and the public never."""

from core.regions.models import Level
from core.users.models import Role, User


def can_manage_rosters(user: User) -> bool:
    """Administrators, and handler leads whose scope is a whole county."""
    if user.role == Role.ADMIN:
        return True
    return user.role == Role.HANDLER and user.is_lead and any(region.level == Level.COUNTY for region in user.regions)


def can_manage_rules(user: User) -> bool:
    """Rule settings, runs and custom rules: administrators."""
    return user.role == Role.ADMIN
