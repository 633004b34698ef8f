"""The clocks of a case (docs/clocks.md): opened on arrival, met by public messages, recomputed
when the calendar for their span changes, and summarised in next_due_at for the queue."""
from datetime import date, datetime, timedelta

from sqlalchemy import select

from core.calendar.workdays import Deadline, legal_deadline, load_schedule, working_deadline
from core.extensions import db
from core.timezone import local_date
from complaints.models import CaseClock, ClockKind, Complaint

REPLY_WORKING_DAYS = 3
PROGRESS_WORKING_DAYS = 10
LEGAL_CALENDAR_DAYS = 60


def deadline_for(starts_at: datetime, amount: int, unit: str) -> Deadline:
    """The deadline of a clock of `amount` units (working days, calendar days, or hours: a grade-1
    warning's 24 hours run through nights and holidays alike)."""
    if unit == "working":
        return working_deadline(starts_at, amount)
    if unit == "hours":
        return Deadline(starts_at + timedelta(hours=amount), frozenset())
    return legal_deadline(starts_at, amount)


def _deadline(clock: CaseClock):
    return deadline_for(clock.starts_at, clock.amount + clock.extension_days, clock.unit)


def start_clock(case: Complaint, kind: ClockKind, starts_at: datetime, amount: int, unit: str) -> CaseClock:
    """Add a clock to a case with its deadline computed now (flush only)."""
    # Computed before the clock joins the case: the calendar query would autoflush a half-built clock.
    deadline = deadline_for(starts_at, amount, unit)
    clock = CaseClock(kind=kind, starts_at=starts_at, amount=amount, unit=unit, due_at=deadline.at,
                      provisional=deadline.is_provisional)
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
    changed = 0
    for clock in db.session.scalars(select(CaseClock).where(CaseClock.met_at.is_(None),
                                                            CaseClock.paused_at.is_(None))):
        if not years & {clock.starts_at.year, clock.due_at.year, clock.starts_at.year + 1}:
            continue
        deadline = _deadline(clock)
        if (deadline.at, deadline.is_provisional) != (clock.due_at, clock.provisional):
            clock.due_at, clock.provisional = deadline.at, deadline.is_provisional
            refresh_next_due(clock.complaint)
            changed += 1
    db.session.commit()
    return changed


def on_calendar_changed(sender, years: frozenset[int]) -> None:
    recompute_unmet(frozenset(years))


def pause_working_clocks(case: Complaint, at: datetime) -> None:
    """Stop the unmet working-day clocks (only where the county has pausing switched on)."""
    for clock in case.clocks:
        if clock.met_at is None and clock.unit == "working" and clock.paused_at is None:
            clock.paused_at = at
    refresh_next_due(case)


def resume_working_clocks(case: Complaint, at: datetime) -> None:
    """Restart paused clocks with the working days they had left (whole days, rounded up); the
    day the material arrives is not counted, like an arrival day."""
    for clock in case.clocks:
        if clock.paused_at is None:
            continue
        remaining = max(1, working_days_between(local_date(clock.paused_at), local_date(clock.due_at)))
        deadline = working_deadline(at, remaining)
        clock.starts_at, clock.amount, clock.paused_at = at, remaining, None
        clock.due_at, clock.provisional = deadline.at, deadline.is_provisional
    refresh_next_due(case)


def working_days_between(after: date, until: date) -> int:
    """Working days in (after, until]: what is left of a clock paused on `after`."""
    if until <= after:
        return 0
    schedule = load_schedule(after, until)
    return sum(1 for day in schedule.days() if after < day and schedule.is_workday(day))
