"""The five states of a deadline clock (docs/clocks.md, 'States')."""

from datetime import datetime

from core.calendar.workdays import next_working_day
from core.enums import LabelledEnum
from core.timezone import end_of_day, local_date


class ClockState(LabelledEnum):
    RUNNING = "running", "进行中"
    DUE_SOON = "due_soon", "即将到期"
    OVERDUE = "overdue", "已超期"
    MET = "met", "按期完成"
    MET_LATE = "met_late", "超期完成"


def due_soon_until(now: datetime) -> datetime:
    """The end of the next working day: an unmet deadline not later than this is due soon."""
    return end_of_day(next_working_day(local_date(now)))


def clock_state(
    due_at: datetime, met_at: datetime | None, now: datetime, *, soon_until: datetime | None = None
) -> ClockState:
    """The state of one clock at `now`; pass soon_until to classify many clocks with one query."""
    if met_at is not None:
        return ClockState.MET if met_at <= due_at else ClockState.MET_LATE
    if now > due_at:
        return ClockState.OVERDUE
    if due_at <= (soon_until or due_soon_until(now)):
        return ClockState.DUE_SOON
    return ClockState.RUNNING
