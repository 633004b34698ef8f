"""The five states of a deadline clock (docs/clocks.md, 'States')."""
from datetime import datetime
from enum import StrEnum

from core.calendar.workdays import next_working_day
from core.timezone import end_of_day, local_date


class ClockState(StrEnum):
    RUNNING = "running"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    MET = "met"
    MET_LATE = "met_late"

    @property
    def label(self) -> str:
        return CLOCK_STATE_LABELS[self]


CLOCK_STATE_LABELS = {
    ClockState.RUNNING: "进行中",
    ClockState.DUE_SOON: "即将到期",
    ClockState.OVERDUE: "已超期",
    ClockState.MET: "按期完成",
    ClockState.MET_LATE: "超期完成",
}


def due_soon_until(now: datetime) -> datetime:
    """The end of the next working day: an unmet deadline not later than this is due soon."""
    return end_of_day(next_working_day(local_date(now)))


def clock_state(due_at: datetime, met_at: datetime | None, now: datetime, *,
                soon_until: datetime | None = None) -> ClockState:
    """The state of one clock at `now`; pass soon_until to classify many clocks with one query."""
    if met_at is not None:
        return ClockState.MET if met_at <= due_at else ClockState.MET_LATE
    if now > due_at:
        return ClockState.OVERDUE
    if due_at <= (soon_until or due_soon_until(now)):
        return ClockState.DUE_SOON
    return ClockState.RUNNING
