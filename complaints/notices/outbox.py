"""Writing notices: the contact a filing leaves, and an outbox row when a case has news for its
complainant. Both are flushed into the caller's transaction (filing, a handler's answer), so a
notice exists exactly when the news it announces was committed."""

from sqlalchemy import select

from complaints.models import Complaint, Status
from complaints.notices.models import ContactChannel, Notice, NoticeContact, NoticeKind
from complaints.notices.sender import RETRY_FOR
from core.db import utcnow
from core.extensions import db
from core.fields import field_cipher

# A public timeline entry of these kinds is news the complainant is told of by SMS.
EVENT_NOTICES = {
    "first_reply": NoticeKind.REPLY,
    "progress": NoticeKind.REPLY,
    "request_info": NoticeKind.REQUEST_INFO,
    "closed": NoticeKind.RESULT,
}


def contact_row(phone: str) -> NoticeContact:
    """The encrypted contact for a new case (the caller attaches it to the case)."""
    return NoticeContact(channel=ContactChannel.SMS, address_cipher=field_cipher().encrypt(phone))


def announce(case: Complaint, event_kind: str) -> None:
    """Queue the notice that a public entry of `event_kind` calls for, if its complainant (or one
    whose case was merged into it, for a result) left a contact. One unsent notice per case and
    kind still being tried: three replies before the next sweep make one SMS, not three."""
    kind = EVENT_NOTICES.get(event_kind)
    if kind is None:
        return
    cases = [case.id]
    if kind == NoticeKind.RESULT:  # a merged case's page shows this case's result
        cases += db.session.scalars(
            select(Complaint.id).where(Complaint.merged_into_id == case.id, Complaint.status == Status.MERGED)
        )
    with db.session.no_autoflush:
        reachable = set(
            db.session.scalars(select(NoticeContact.complaint_id).where(NoticeContact.complaint_id.in_(cases)))
        )
        waiting = set(
            db.session.scalars(
                select(Notice.complaint_id).where(
                    Notice.complaint_id.in_(cases),
                    Notice.kind == kind,
                    Notice.sent_at.is_(None),
                    Notice.created_at >= utcnow() - RETRY_FOR,
                )
            )
        )
    for complaint_id in sorted(reachable - waiting):
        db.session.add(Notice(complaint_id=complaint_id, kind=kind))
