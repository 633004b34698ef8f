"""The deadline sweep (docs/clocks.md): announce, once, the clocks that became due soon or overdue.

Each step is one set-based statement over the clocks whose state changed since the last run;
what was announced is recorded on the clock (alerted_state, escalation_level), and a reminder is
only written where none exists for its (clock, level, user), so a second run writes nothing.
Pages never depend on this: they compute clock states from the stored deadlines and the time.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import and_, case, exists, func, insert, literal, not_, or_, select, text, update
from sqlalchemy.orm import aliased

from admin.models import Referral, Reminder, ReminderLevel
from complaints.models import CaseClock, CaseConflict, ClockKind, Complaint, InspectionRound, Status
from core.calendar.clocks import due_soon_until
from core.calendar.workdays import load_schedule
from core.extensions import db
from core.regions.models import Region
from core.timezone import SHANGHAI, local_date
from core.users.models import Role, User, user_regions

DUE_SOON, OVERDUE = ReminderLevel.DUE_SOON, ReminderLevel.OVERDUE
TOWNSHIP, COUNTY = ReminderLevel.ESCALATED_TOWNSHIP, ReminderLevel.ESCALATED_COUNTY
REFERRAL_OVERDUE = ReminderLevel.REFERRAL_OVERDUE
COUNTY_AFTER_WORKING_DAYS = 3
LOCK_KEY = 620_426_001  # any constant: one sweep at a time on PostgreSQL


@dataclass
class SweepResult:
    due_soon: int = 0
    overdue: int = 0
    reminders: int = 0
    escalations: int = 0
    skipped: bool = False
    new_reminder_ids: list[int] = field(default_factory=list)

    def summary(self) -> str:
        if self.skipped:
            return "另一次期限巡检正在进行，本次跳过"
        return (
            f"新即将到期 {self.due_soon} 个，新超期 {self.overdue} 个，"
            f"写入提醒 {self.reminders} 条，督办 {self.escalations} 条"
        )


def _live():
    """Clocks still running on a case someone works: merged cases are done; a closed case keeps
    only its real-name feedback clock, which starts at closing."""
    return and_(
        CaseClock.met_at.is_(None),
        CaseClock.paused_at.is_(None),
        Complaint.status != Status.MERGED,
        or_(Complaint.status != Status.CLOSED, CaseClock.kind == ClockKind.FEEDBACK),
    )


def _changed(condition):
    """The clocks (with their case) that meet `condition`. PostgreSQL materialises them first, so
    that the planner starts from these few clocks, not from every case of a lead's township.
    (SQLite gets a subquery: its driver reports no row count for a statement that starts WITH.)"""
    chosen = (
        select(
            CaseClock.id.label("clock_id"),
            Complaint.id.label("complaint_id"),
            Complaint.assignee_id.label("assignee_id"),
            Complaint.township_code.label("township_code"),
        )
        .join(Complaint, Complaint.id == CaseClock.complaint_id)
        .where(condition)
    )
    if db.session.get_bind().dialect.name == "postgresql":
        return chosen.cte("changed").prefix_with("MATERIALIZED")
    return chosen.subquery("changed")


def _not_yet(level: str, clock_column, user_column):
    return not_(
        exists().where(Reminder.clock_id == clock_column, Reminder.level == level, Reminder.user_id == user_column)
    )


def _insert_reminders(chosen, level: str, now: datetime) -> int:
    """INSERT … SELECT user, case, clock: the rows of `chosen` become reminders of `level`."""
    rows = chosen.add_columns(literal(level), literal(now, Reminder.created_at.type))
    result = db.session.execute(
        insert(Reminder)
        .from_select(["user_id", "complaint_id", "clock_id", "level", "created_at"], rows)
        .execution_options(preserve_rowcount=True)
    )  # psycopg reports no INSERT rowcount otherwise
    return result.rowcount


def _remind_assignees(condition, level: str, now: datetime) -> int:
    changed = _changed(and_(condition, Complaint.assignee_id.is_not(None)))
    chosen = select(changed.c.assignee_id, changed.c.complaint_id, changed.c.clock_id).where(
        _not_yet(level, changed.c.clock_id, changed.c.assignee_id)
    )
    return _insert_reminders(chosen, level, now)


def _round_running(today: date):
    # During an inspection round its reports are the team's: township leads cannot see them.
    return and_(
        Complaint.round_id.is_not(None),
        Complaint.is_late_for_round.is_(False),
        exists().where(InspectionRound.id == Complaint.round_id, InspectionRound.ends_on >= today),
    )


def _escalate(condition, level: str, region_code, now: datetime) -> int:
    """Reminders for the enabled leads whose scope names `region_code` (the township or county)."""
    changed = _changed(and_(condition, not_(_round_running(local_date(now)))))
    township = aliased(Region)
    conflicted = exists().where(CaseConflict.complaint_id == changed.c.complaint_id, CaseConflict.user_id == User.id)
    chosen = (
        select(User.id, changed.c.complaint_id, changed.c.clock_id)
        .select_from(changed)
        .join(township, township.code == changed.c.township_code)
        .join(user_regions, user_regions.c.region_code == region_code(township))
        .join(User, User.id == user_regions.c.user_id)
        .where(
            User.role == Role.HANDLER,
            User.is_lead.is_(True),
            User.is_enabled.is_(True),
            not_(conflicted),
            _not_yet(level, changed.c.clock_id, User.id),
        )
    )
    return _insert_reminders(chosen, level, now)


def _mark(condition, **values) -> int:
    chosen = select(CaseClock.id).join(Complaint, Complaint.id == CaseClock.complaint_id).where(condition)
    result = db.session.execute(
        update(CaseClock).where(CaseClock.id.in_(chosen)).values(**values).execution_options(synchronize_session=False)
    )
    return result.rowcount


def working_days_before(today: date, n: int) -> date:
    """The n-th working day before `today` (today itself not counted)."""
    schedule = load_schedule(today - timedelta(days=2 * n + 21), today - timedelta(days=1))
    return [day for day in schedule.days() if schedule.is_workday(day)][-n]


def county_cutoff(now: datetime) -> datetime:
    """Deadlines before this instant have stayed overdue for 3 whole working days after their day."""
    day = working_days_before(local_date(now), COUNTY_AFTER_WORKING_DAYS)
    return datetime.combine(day, time.min, tzinfo=SHANGHAI)


def _remind_referrals(now: datetime) -> int:
    """An unanswered referral past its deadline: one reminder to the case's assignee, filed under
    the case's progress clock (reminders have no referral column)."""
    chosen = (
        select(Complaint.assignee_id, Complaint.id, CaseClock.id)
        .select_from(Referral)
        .join(Complaint, Complaint.id == Referral.complaint_id)
        .join(CaseClock, and_(CaseClock.complaint_id == Complaint.id, CaseClock.kind == ClockKind.PROGRESS))
        .where(
            Referral.answered_at.is_(None),
            Referral.due_at < now,
            Complaint.status.not_in((Status.CLOSED, Status.MERGED)),
            Complaint.assignee_id.is_not(None),
            _not_yet(REFERRAL_OVERDUE, CaseClock.id, Complaint.assignee_id),
        )
        .distinct()
    )
    return _insert_reminders(chosen, REFERRAL_OVERDUE, now)


def _lock() -> bool:
    if db.session.get_bind().dialect.name != "postgresql":
        return True  # SQLite: the first statement below is a write, which serialises sweeps
    return bool(db.session.scalar(text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": LOCK_KEY}))


def sweep(now: datetime) -> SweepResult:
    """Announce what changed since the last run at `now`; one transaction."""
    result = SweepResult()
    if not _lock():
        db.session.rollback()
        return SweepResult(skipped=True)
    soon, cutoff = due_soon_until(now), county_cutoff(now)
    live = _live()
    # A deadline moved later (an extension, a calendar change) makes the clock news again.
    _mark(and_(live, CaseClock.alerted_state != "", CaseClock.due_at > soon), alerted_state="", escalation_level=0)
    last_id = db.session.scalar(select(func.max(Reminder.id))) or 0

    becoming_soon = and_(live, CaseClock.alerted_state == "", CaseClock.due_at >= now, CaseClock.due_at <= soon)
    result.reminders += _remind_assignees(becoming_soon, DUE_SOON, now)
    result.due_soon = _mark(becoming_soon, alerted_state=DUE_SOON)

    becoming_overdue = and_(live, CaseClock.alerted_state.in_(("", DUE_SOON)), CaseClock.due_at < now)
    result.reminders += _remind_assignees(becoming_overdue, OVERDUE, now)
    result.escalations += _escalate(becoming_overdue, TOWNSHIP, lambda township: township.code, now)
    # Past the cutoff a clock is overdue, whether announced before or only now.
    long_overdue = and_(live, CaseClock.escalation_level < 2, CaseClock.due_at < cutoff)
    result.escalations += _escalate(long_overdue, COUNTY, lambda township: township.parent_code, now)
    # Each clock is written once per sweep: PostgreSQL checks the foreign key of a row this
    # transaction writes a second time, row by row (a second of a backlog's first sweep).
    _mark(and_(long_overdue, CaseClock.alerted_state == OVERDUE), escalation_level=2)
    result.overdue = _mark(
        becoming_overdue, alerted_state=OVERDUE, escalation_level=case((CaseClock.due_at < cutoff, 2), else_=1)
    )

    result.reminders += _remind_referrals(now)
    result.new_reminder_ids = list(db.session.scalars(select(Reminder.id).where(Reminder.id > last_id)))
    db.session.commit()
    return result
