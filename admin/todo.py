"""What the 工作台 asks of each role: counts and short lists, each linking to where the work is done.

Case counts are the queue's own statement with one filter, so a count and the queue it links to
always agree."""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, exists, select
from sqlalchemy.orm import aliased

from admin.cases.queries import QueueFilters, queue, queue_count
from core.extensions import db
from core.users.models import User
from core.users.permissions import scope_filter
from disclosures.due import Due, disclosure_calendar
from disclosures.models import Batch, BatchStatus
from disclosures.queries import pending_batches, villages_in_scope

# (label, the queue filter that lists them, whether any is a problem rather than routine)
CASE_TODOS = (
    ("新收到", {"status": "received"}, False),
    ("即将到期", {"clock": "due_soon"}, False),
    ("已超期", {"clock": "overdue"}, True),
    ("待补充材料", {"status": "awaiting_info"}, False),
    ("重新办理", {"status": "reopened"}, True),
)


@dataclass(frozen=True)
class CaseTodo:
    label: str
    filters: dict[str, str]
    count: int
    urgent: bool


def case_todos(user: User, now: datetime) -> list[CaseTodo]:
    """The handler's five piles, counted exactly as the filtered queue lists them."""
    todos = []
    for label, args, urgent in CASE_TODOS:
        filters = QueueFilters(**args)
        count, _ = queue_count(queue(user, filters, now), filters)
        todos.append(CaseTodo(label, args, count, urgent and count > 0))
    return todos


def disclosures_outstanding(user: User, today: date) -> list[Due]:
    """The ledger months and subsidy rosters the user's villages still owe, overdue first: the
    calendar the public pages read their 逾期未公开 from."""
    return [due for due in disclosure_calendar(villages_in_scope(user), today) if due.outstanding]


def returned_batches(user: User) -> list[Batch]:
    """Batches a reviewer sent back that nothing newer of the same village, kind and month has
    replaced yet, with the reviewer's note, newest first."""
    later = aliased(Batch)
    replaced = exists().where(
        later.village_code == Batch.village_code,
        later.kind == Batch.kind,
        and_(later.period == Batch.period) | and_(later.period.is_(None), Batch.period.is_(None)),
        later.id > Batch.id,
    )
    return list(
        db.session.scalars(
            select(Batch)
            .where(scope_filter(user, Batch.village_code), Batch.status == BatchStatus.RETURNED, ~replaced)
            .order_by(Batch.id.desc())
            .limit(50)
        )
    )


def batches_to_review(user: User) -> list[Batch]:
    return pending_batches(user)
