"""Who may see what: scope checks written once, used by views, templates and queries."""
from sqlalchemy import ColumnElement, false, or_

from core.regions.codes import scope_prefix
from core.users.models import Role, User

# Which levels a role's scope may name.
SCOPE_LEVELS = {
    Role.ACCOUNTANT: {"village"},
    Role.REVIEWER: {"township", "village"},
    Role.HANDLER: {"county", "township"},
    Role.INSPECTOR: {"county", "township", "village"},
    Role.ADMIN: {"county", "township", "village"},
}

# Roles of people who are themselves supervised: they never see cases, complainants or warnings.
SUPERVISED_ROLES = {Role.ACCOUNTANT, Role.REVIEWER}


def scope_prefixes(user: User) -> list[str]:
    """Code prefixes of every region the user's scope covers."""
    return [scope_prefix(region.code) for region in user.regions]


def in_scope(user: User, region_code: str) -> bool:
    """Whether a region lies inside the user's scope (an admin with no scope sees everything)."""
    if user.role == Role.ADMIN and not user.regions:
        return True
    return any(region_code.startswith(prefix) for prefix in scope_prefixes(user))


def scope_filter(user: User, code_column) -> ColumnElement[bool]:
    """SQL condition restricting a region-code column to the user's scope."""
    if user.role == Role.ADMIN and not user.regions:
        return code_column.is_not(None)
    prefixes = scope_prefixes(user)
    if not prefixes:
        return false()
    return or_(*(code_column.like(f"{prefix}%") for prefix in prefixes))


def may_see_cases(user: User) -> bool:
    """Supervised people never see complaints, complainants or warnings."""
    return user.role not in SUPERVISED_ROLES


def can_manage_users(user: User) -> bool:
    """Only administrators manage accounts."""
    return user.role == Role.ADMIN
