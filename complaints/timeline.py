"""The public timeline of a case: each entry named as the staff name it (初步答复, 办理结果 …),
minus everything internal. Only public rows are read; internal notes never leave the database
for a complainant's page."""
from dataclasses import dataclass

from sqlalchemy import select

from core.extensions import db
from complaints.models import CaseEvent, Complaint

# What the complainant reads above each public entry. The staff's own names (admin/cases/lookups.py)
# say the same thing; where theirs names a department or a colleague, this one does not.
PUBLIC_LABELS = {
    "received": "收到反映", "first_reply": "初步答复", "progress": "核查进展告知", "request_info": "请补充材料",
    "paused": "期限暂停", "material_received": "收到补充材料", "supplement": "反映人补充材料",
    "referred": "移交办理", "extended": "延期", "referral_extended": "移交答复延期", "closed": "办理结果",
    "reopened": "重新办理", "merged": "合并办理", "rated": "评价", "review_requested": "申请复查",
}


@dataclass(frozen=True)
class PublicEntry:
    event: CaseEvent
    label: str
    classification: str = ""  # the 定性 of the closing that stands


def public_entries(case: Complaint) -> list[PublicEntry]:
    """The case's public events in order, each with its label; the latest closing carries the
    case's 定性 (an earlier closing was undone by a reopening, and its 定性 with it)."""
    events = list(db.session.scalars(select(CaseEvent).where(
        CaseEvent.complaint_id == case.id, CaseEvent.is_public.is_(True)).order_by(CaseEvent.at, CaseEvent.id)))
    last_closing = next((event for event in reversed(events) if event.kind == "closed"), None)
    standing = case.classification if case.closed_at is not None else ""
    return [PublicEntry(event, PUBLIC_LABELS.get(event.kind, "办理记录"),
                        standing if event is last_closing else "") for event in events]
