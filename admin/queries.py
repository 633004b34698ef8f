"""Read helpers for the back office."""

from datetime import date, datetime, time, timedelta

from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from core.audit import AuditEntry
from core.extensions import db
from core.regions.queries import escape_like
from core.timezone import SHANGHAI, clamp_day
from core.users.models import User
from core.users.permissions import can_manage_account


def managed_users(admin: User) -> list[User]:
    """The accounts an administrator may manage, by role and username (a county's staff are a few
    hundred accounts: the rule is applied as written, in Python)."""
    users = db.session.scalars(select(User).options(selectinload(User.regions)).order_by(User.role, User.username))
    return [user for user in users if can_manage_account(admin, user)]


def _day_start(text: str) -> datetime | None:
    try:
        return datetime.combine(clamp_day(date.fromisoformat(text)), time.min, tzinfo=SHANGHAI)
    except ValueError:
        return None


def audit_entries(filters: dict) -> Select:
    """Audit entries, newest first, narrowed by actor, action, target type and local dates."""
    query = select(AuditEntry).order_by(AuditEntry.id.desc())
    if filters.get("actor"):
        query = query.where(AuditEntry.actor_name.like(f"%{escape_like(filters['actor'])}%", escape="\\"))
    if filters.get("action"):
        query = query.where(AuditEntry.action == filters["action"])
    if filters.get("target_type"):
        query = query.where(AuditEntry.target_type == filters["target_type"])
    if start := _day_start(filters.get("date_from") or ""):
        query = query.where(AuditEntry.at >= start)
    if end := _day_start(filters.get("date_to") or ""):
        query = query.where(AuditEntry.at < end + timedelta(days=1))
    return query
