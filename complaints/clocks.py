"""The clocks of a case (docs/clocks.md): opened on arrival, met by public messages, recomputed
when the calendar for their span changes, and summarised in next_due_at for the queue."""

from datetime import date, datetime, timedelta

from sqlalchemy import func, select, update

from core.calendar.recompute import chunks, deadline_for, moved_deadlines, spans_touching
from core.calendar.workdays import load_schedule, working_deadline
from core.extensions import db
from core.timezone import local_date
from complaints.models import CaseClock, ClockKind, Complaint, Status

REPLY_WORKING_DAYS = 3
PROGRESS_WORKING_DAYS = 10
LEGAL_CALENDAR_DAYS = 60
REVIEW_CALENDAR_DAYS = 30  # a 复查 is answered within 30 days of the request


def _deadline(clock: CaseClock):
    return deadline_for(clock.starts_at, clock.amount + clock.extension_days, clock.unit)


def start_clock(case: Complaint, kind: ClockKind, starts_at: datetime, amount: int, unit: str) -> CaseClock:
    """Add a clock to a case with its deadline computed now (flush only)."""
    # Computed before the clock joins the case: the calendar query would autoflush a half-built clock.
    deadline = deadline_for(starts_at, amount, unit)
    clock = CaseClock(
        kind=kind,
        starts_at=starts_at,
        amount=amount,
        unit=unit,
        due_at=deadline.at,
        provisional=deadline.is_provisional,
    )
    case.clocks.append(clock)  # the one-to-many side cascades the clock into the session
    refresh_next_due(case)
    return clock


def open_arrival_clocks(case: Complaint) -> None:
    """The two promises every case gets on arrival: first reply and progress notice."""
    start_clock(case, ClockKind.REPLY, case.received_at, REPLY_WORKING_DAYS, "working")
    start_clock(case, ClockKind.PROGRESS, case.received_at, PROGRESS_WORKING_DAYS, "working")


def meet_clock(case: Complaint, kind: ClockKind, at: datetime) -> bool:
    """Record that a clock was met (the first time only); True if this call met it."""
    clock = case.clock(kind)
    if clock is None or clock.met_at is not None:
        return False
    clock.met_at = at
    refresh_next_due(case)
    return True


def refresh_next_due(case: Complaint) -> None:
    """Keep the case's earliest unmet, running deadline in step with its clocks."""
    open_due = [clock.due_at for clock in case.clocks if clock.met_at is None and clock.paused_at is None]
    case.next_due_at = min(open_due) if open_due else None


def recompute_unmet(years: frozenset[int]) -> int:
    """New deadlines for unmet clocks whose span touches the changed years; met ones keep theirs."""
    rows = db.session.execute(
        select(
            CaseClock.id,
            CaseClock.complaint_id,
            CaseClock.starts_at,
            (CaseClock.amount + CaseClock.extension_days).label("amount"),
            CaseClock.unit,
            CaseClock.due_at,
            CaseClock.provisional,
        ).where(
            CaseClock.met_at.is_(None),
            CaseClock.paused_at.is_(None),
            spans_touching(CaseClock.starts_at, CaseClock.due_at, years),
        )
    ).all()
    moved = moved_deadlines(rows)
    if moved:
        db.session.execute(update(CaseClock), moved)
        owners = {row.id: row.complaint_id for row in rows}
        _refresh_next_due_in_sql(sorted({owners[change["id"]] for change in moved}))
    db.session.commit()
    return len(moved)


def _refresh_next_due_in_sql(case_ids: list[int]) -> None:
    """refresh_next_due for many cases in a few statements (flush only); a merged case keeps none:
    its clocks run on the case it joined."""
    earliest = (
        select(func.min(CaseClock.due_at))
        .where(CaseClock.complaint_id == Complaint.id, CaseClock.met_at.is_(None), CaseClock.paused_at.is_(None))
        .scalar_subquery()
    )
    for chunk in chunks(case_ids):
        db.session.execute(
            update(Complaint)
            .where(Complaint.id.in_(chunk), Complaint.status != Status.MERGED)
            .values(next_due_at=earliest)
            .execution_options(synchronize_session=False)
        )


def on_calendar_changed(sender, years: frozenset[int]) -> None:
    recompute_unmet(frozenset(years))


def pause_working_clocks(case: Complaint, at: datetime) -> None:
    """Stop the unmet working-day clocks (only where the county has pausing switched on); one
    already overdue has no time left to keep, and stopping it would hide it from the queue."""
    for clock in case.clocks:
        if clock.met_at is None and clock.unit == "working" and clock.paused_at is None and clock.due_at > at:
            clock.paused_at = at
    refresh_next_due(case)


def resume_working_clocks(case: Complaint, at: datetime) -> None:
    """Restart paused clocks with the working days they had left (whole days, rounded up); the
    day the material arrives is not counted, like an arrival day."""
    for clock in case.clocks:
        if clock.paused_at is None:
            continue
        remaining = working_days_left(clock.paused_at, clock.due_at)
        deadline = working_deadline(at, remaining)
        clock.starts_at, clock.amount, clock.paused_at = at, remaining, None
        clock.due_at, clock.provisional = deadline.at, deadline.is_provisional
    refresh_next_due(case)


def working_days_left(paused_at: datetime, due_at: datetime) -> int:
    """What a clock stopped at `paused_at` had left, in whole working days rounded up: the day it
    stopped counts in full when it is a working day, however much of it was gone."""
    return max(1, working_days_between(local_date(paused_at) - timedelta(days=1), local_date(due_at)))


def working_days_between(after: date, until: date) -> int:
    """Working days in (after, until]: what is left of a clock paused on `after`."""
    if until <= after:
        return 0
    schedule = load_schedule(after, until)
    return sum(1 for day in schedule.days() if after < day and schedule.is_workday(day))
