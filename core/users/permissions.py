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


def is_unscoped_admin(user: User) -> bool:
    """An administrator with no scope: the whole installation is theirs."""
    return user.role == Role.ADMIN and not user.regions


def scope_prefixes(user: User) -> list[str]:
    """Code prefixes of every region the user's scope covers."""
    return [scope_prefix(region.code) for region in user.regions]


def in_scope(user: User, region_code: str) -> bool:
    """Whether a region lies inside the user's scope (an admin with no scope sees everything)."""
    if is_unscoped_admin(user):
        return True
    return any(region_code.startswith(prefix) for prefix in scope_prefixes(user))


def scope_filter(user: User, code_column) -> ColumnElement[bool]:
    """SQL condition restricting a region-code column to the user's scope."""
    if is_unscoped_admin(user):
        return code_column.is_not(None)
    prefixes = scope_prefixes(user)
    if not prefixes:
        return false()
    return or_(*(code_column.like(f"{prefix}%") for prefix in prefixes))


def can_give_scope(admin: User, role: Role, region_codes) -> bool:
    """Whether an administrator may give an account this role and scope.

    An unscoped administrator may give any. A scoped one only a scope inside its own and never
    none (which reaches everywhere); to another administrator only a scope strictly inside its
    own, so that no administrator takes over an equal or wider one (by resetting its password)."""
    if admin.role != Role.ADMIN:
        return False
    if not admin.regions:
        return True
    codes = set(region_codes)
    if not codes or not all(in_scope(admin, code) for code in codes):
        return False
    return role != Role.ADMIN or not codes & {region.code for region in admin.regions}


def can_manage_account(admin: User, account: User) -> bool:
    """Whether an administrator may see, edit, enable or disable an account or reset its password:
    its own, or one whose role and scope it could give (its own role and scope stay as they are:
    the account services refuse to change them)."""
    if admin.role != Role.ADMIN:
        return False
    return account.id == admin.id or can_give_scope(admin, account.role, [r.code for r in account.regions])
