"""A staff member's reminders (written by the deadline sweep, and by a reveal of a complainant's
identity): the unread count for the header, the list, and marking them read once shown. Both
keep to the cases the user may see now: one declared a conflict since, or a round took the case."""

from datetime import date, datetime

from sqlalchemy import Select, func, select, update

from admin.models import Reminder
from complaints.models import CaseClock, Complaint
from complaints.permissions import visible_cases
from core.extensions import db
from core.users.models import User


def unread_count(user: User, today: date) -> int:
    """How many of the user's reminders are unread."""
    return db.session.scalar(
        select(func.count())
        .select_from(Reminder)
        .join(Complaint, Complaint.id == Reminder.complaint_id)
        .where(Reminder.user_id == user.id, Reminder.read_at.is_(None), visible_cases(user, today))
    )


def reminders_of(user: User, today: date) -> Select:
    """The user's reminders, newest first, with their case and clock (None for a reveal notice)."""
    return (
        select(Reminder, Complaint, CaseClock)
        .join(Complaint, Complaint.id == Reminder.complaint_id)
        .outerjoin(CaseClock, CaseClock.id == Reminder.clock_id)
        .where(Reminder.user_id == user.id, visible_cases(user, today))
        .order_by(Reminder.read_at.is_not(None), Reminder.created_at.desc(), Reminder.id.desc())
    )


def mark_read(user: User, ids: list[int], at: datetime) -> None:
    """Mark the shown reminders read (only the user's own, only once)."""
    if ids:
        db.session.execute(
            update(Reminder)
            .where(Reminder.user_id == user.id, Reminder.id.in_(ids), Reminder.read_at.is_(None))
            .values(read_at=at)
        )
    db.session.commit()
