"""A warning's state is its case's: open while the case is being worked, 已消除 when a run closed
it because the condition no longer held, closed when a handler finished it."""

from sqlalchemy import and_, case

from complaints.models import Complaint, Status

CLEARED = "已消除"
FINISHED = (Status.CLOSED.value, Status.MERGED.value)
OPEN, CLOSED = "open", "closed"
STATE_LABELS = {OPEN: "待核查", CLEARED: "已消除", CLOSED: "已办结"}
VERIFIED = ("属实", "部分属实")  # the verdicts that count as hits in a rule's 转化率
VERDICTS = ("属实", "部分属实", "不属实")


def is_open(complaint=Complaint):
    return complaint.status.not_in(FINISHED)


def is_cleared(complaint=Complaint):
    return and_(complaint.status.in_(FINISHED), complaint.classification == CLEARED)


def is_closed(complaint=Complaint):
    """Finished by a handler: never reopened by a run."""
    return and_(complaint.status.in_(FINISHED), complaint.classification != CLEARED)


def state_of(complaint=Complaint):
    return case((is_open(complaint), OPEN), (complaint.classification == CLEARED, CLEARED), else_=CLOSED)
