"""Route guards: who may open a staff page at all. Scope checks come after, per object; the county
of a county-wide page (settings, rules) is checked here, since both back-office packages have one."""

from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from core.extensions import db
from core.regions import queries as regions
from core.regions.models import Level, Region
from core.users.models import Role
from core.users.permissions import in_scope


def role_required(*roles: Role):
    """Allow signed-in users holding one of the roles; 403 for other roles."""

    def decorate(view):
        @wraps(view)
        @login_required
        def guarded(*args, **kwargs):
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        guarded.allowed_roles = frozenset(roles)
        return guarded

    return decorate


def staff_required(view):
    """Any signed-in staff account."""
    return role_required(*Role)(view)


def scoped_counties() -> list[Region]:
    """The counties within the signed-in user's scope."""
    return [county for county in regions.counties() if in_scope(current_user, county.code)]


def scoped_county(county_code: str) -> Region:
    """The county by its code; 404 when there is none or it lies outside the user's scope."""
    county = db.get_or_404(Region, county_code)
    if county.level != Level.COUNTY or not in_scope(current_user, county.code):
        abort(404)
    return county
