"""The handlers' queue: filtered and sorted in SQL on stored deadlines, one page at a time."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import Select, func, or_, select

from complaints.models import COMPLAINT_GRAMS, Complaint
from complaints.permissions import visible_cases
from complaints.search import term_grams
from core.calendar.clocks import ClockState, clock_state, due_soon_until
from core.extensions import db
from core.regions.codes import scope_prefix
from core.regions.queries import escape_like
from core.timezone import SHANGHAI, clamp_day
from core.users.models import User
from core.web import id_from

# The queue's 期限 filter and column: the state of a case's nearest open deadline, or none open.
NO_OPEN_CLOCK = "done"
CLOCK_STATES = {state.value: state.label for state in (ClockState.OVERDUE, ClockState.DUE_SOON, ClockState.RUNNING)}
CLOCK_STATES[NO_OPEN_CLOCK] = "无待办期限"


@dataclass
class QueueFilters:
    status: str = ""
    region: str = ""
    category: str = ""
    channel: str = ""
    clock: str = ""
    assignee: str = ""  # a user id, "me" or "none"
    date_from: date | None = None
    date_to: date | None = None
    text: str = ""


# A text search counts its matches up to here and says "more than" beyond: nobody pages through
# thousands of cases, and an exact count of a common word would read most of the county.
TEXT_MATCHES_LISTED = 1000


def deadline_state(next_due_at: datetime | None, now: datetime, soon: datetime) -> str:
    """The label of a case's 期限 column, from its nearest open deadline (None: nothing open)."""
    if next_due_at is None:
        return CLOCK_STATES[NO_OPEN_CLOCK]
    return clock_state(next_due_at, None, now, soon_until=soon).label


def _clock_condition(state: str, now: datetime):
    soon = due_soon_until(now)
    return {
        "overdue": Complaint.next_due_at < now,
        "due_soon": Complaint.next_due_at.between(now, soon),
        "running": Complaint.next_due_at > soon,
        NO_OPEN_CLOCK: Complaint.next_due_at.is_(None),
    }[state]


def _assignee_condition(value: str, user: User):
    if value == "me":
        return Complaint.assignee_id == user.id
    if value == "none":
        return Complaint.assignee_id.is_(None)
    assignee = id_from(value)
    return Complaint.assignee_id == assignee if assignee is not None else None


def _text_condition(term: str, others: list):
    """Cases whose text or code contains the term (wildcards literal), among those `others` allow."""
    if not _on_postgres():
        return _contains(term)  # SQLite (small deployments): LIKE reads every case in scope
    # Asked apart, first: PostgreSQL guesses how many cases match by multiplying the bigrams'
    # frequencies, far too few for bigrams that always come together (维修款), and would then
    # sort every match to show one page.
    found = db.session.scalars(text_matches(term, others)).all()
    if len(found) <= TEXT_MATCHES_LISTED:
        return Complaint.id.in_(found)
    return _contains(term)  # so many that walking the queue's order meets a page of them at once


def text_matches(term: str, others: list) -> Select:
    """Up to TEXT_MATCHES_LISTED + 1 matching ids, on PostgreSQL: the GIN index finds the cases that
    have every bigram of the term, and LIKE checks they stand together, in order (complaints/search.py)."""
    return (
        select(Complaint.id)
        .where(*others, COMPLAINT_GRAMS.contains(term_grams(term)), _contains(term))
        .limit(TEXT_MATCHES_LISTED + 1)
    )


def _contains(term: str):
    pattern = f"%{escape_like(term)}%"
    return or_(Complaint.text.like(pattern, escape="\\"), Complaint.code.like(pattern, escape="\\"))


def _on_postgres() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=SHANGHAI)


def queue(user: User, filters: QueueFilters, now: datetime) -> Select:
    """Cases the user may see, reopened first, then by the nearest unmet deadline (overdue first)."""
    conditions = [visible_cases(user, now.astimezone(SHANGHAI).date())]
    if filters.status:
        conditions.append(Complaint.status == filters.status)
    if filters.region.isdigit():
        conditions.append(Complaint.village_code.like(scope_prefix(filters.region) + "%"))
    if filters.category:
        conditions.append(Complaint.category == filters.category)
    if filters.channel:
        conditions.append(Complaint.channel == filters.channel)
    if filters.clock in CLOCK_STATES:
        conditions.append(_clock_condition(filters.clock, now))
    if (assignee := _assignee_condition(filters.assignee, user)) is not None:
        conditions.append(assignee)
    if filters.date_from:
        conditions.append(Complaint.received_at >= _day_start(clamp_day(filters.date_from)))
    if filters.date_to:
        conditions.append(Complaint.received_at < _day_start(clamp_day(filters.date_to) + timedelta(days=1)))
    if filters.text.strip():
        conditions.append(_text_condition(filters.text.strip()[:50], conditions))
    # queue_rank puts reopened cases first; finished cases (no open deadline) go last. The order
    # matches ix_complaints_queue_order, so PostgreSQL reads page 1 from the index.
    return (
        select(Complaint)
        .where(*conditions)
        .order_by(Complaint.queue_rank, Complaint.next_due_at.asc().nulls_last(), Complaint.id)
    )


def queue_count(statement: Select, filters: QueueFilters) -> tuple[int, bool]:
    """How many cases a queue statement holds, and whether there are more than that: a text
    search stops counting at TEXT_MATCHES_LISTED."""
    counted = statement.order_by(None)
    if not filters.text.strip():
        return db.session.scalar(select(func.count()).select_from(counted.subquery())), False
    total = db.session.scalar(select(func.count()).select_from(counted.limit(TEXT_MATCHES_LISTED + 1).subquery()))
    return min(total, TEXT_MATCHES_LISTED), total > TEXT_MATCHES_LISTED
