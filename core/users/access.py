"""Route guards: who may open a staff page at all. Scope checks come after, per object."""

from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from core.users.models import Role


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
