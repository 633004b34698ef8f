"""The public timeline of a case: each entry named as the staff name it (初步答复, 办理结果 …),
minus everything internal. Only public rows are read; internal notes never leave the database
for a complainant's page."""

from dataclasses import dataclass

from sqlalchemy import select

from core.extensions import db
from complaints.models import CaseEvent, Complaint, EventKind

# Each entry is headed by its kind's label (complaints/models.py EventKind), as on the case page
# and the PDF; these few read differently to a complainant on purpose: the result as a result, a
# referral without the staff's word for it, an extension without the statute's wording.
PUBLIC_WORDING = {
    EventKind.CLOSED: "办理结果",
    EventKind.REFERRED: "移交办理",
    EventKind.EXTENDED: "延期",
    EventKind.REFERRAL_EXTENDED: "移交答复延期",
}


def public_label(kind: EventKind) -> str:
    return PUBLIC_WORDING.get(kind, kind.label)


@dataclass(frozen=True)
class PublicEntry:
    event: CaseEvent
    label: str
    classification: str = ""  # the 定性 of the closing that stands


def public_entries(case: Complaint) -> list[PublicEntry]:
    """The case's public events in order, each with its label; the latest closing carries the
    case's 定性 (an earlier closing was undone by a reopening, and its 定性 with it)."""
    events = list(
        db.session.scalars(
            select(CaseEvent)
            .where(CaseEvent.complaint_id == case.id, CaseEvent.is_public.is_(True))
            .order_by(CaseEvent.at, CaseEvent.id)
        )
    )
    last_closing = next((event for event in reversed(events) if event.kind == "closed"), None)
    standing = case.classification if case.closed_at is not None else ""
    return [PublicEntry(event, public_label(event.kind), standing if event is last_closing else "") for event in events]
