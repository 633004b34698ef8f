"""Sending the outbox, from the deadline sweep (`flask deadlines sweep`, every minute): the same
pattern as the reminder mails (admin/mailer.py). Each notice's sent_at is committed as soon as the
provider took it, so none goes twice; one that failed is tried again by later sweeps, less often
each time, for RETRY_FOR, and shows on the back office's 短信通知 page meanwhile and after."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from complaints.models import Complaint
from complaints.notices.models import Notice, NoticeContact
from complaints.notices.providers import DEFAULT_SIGN, Message, Provider, SendFailure, scrub
from core.db import utcnow
from core.extensions import db
from core.fields import field_cipher

RETRY_FOR = timedelta(days=2)
MAX_WAIT = timedelta(hours=1)


@dataclass(frozen=True)
class NoticeResult:
    sent: int = 0
    failed: int = 0
    error: str = ""


def retry_wait(attempts: int) -> timedelta:
    """After n failed tries, wait 2^(n-1) minutes (1, 2, 4 … up to an hour): a gateway that is down
    is not called every minute for two days."""
    return min(timedelta(minutes=2 ** max(attempts - 1, 0)), MAX_WAIT) if attempts else timedelta(0)


def due_notices(now: datetime) -> list[int]:
    """Unsent notices of the last RETRY_FOR whose next try is due."""
    rows = db.session.execute(
        select(Notice.id, Notice.attempts, Notice.last_attempt_at)
        .where(Notice.sent_at.is_(None), Notice.created_at >= now - RETRY_FOR)
        .order_by(Notice.id)
    )
    return [notice_id for notice_id, attempts, last in rows if last is None or last + retry_wait(attempts) <= now]


def send_notices(ids: list[int], provider: Provider, *, sign: str = DEFAULT_SIGN) -> NoticeResult:
    """Hand each notice to the provider, one committed row at a time. On PostgreSQL the row is
    locked while it is sent and skipped by a sweep running beside this one."""
    sent = failed = 0
    error = ""
    cipher = field_cipher()
    for notice_id in ids:
        row = db.session.execute(
            select(Notice, Complaint.code, NoticeContact)
            .join(Complaint, Complaint.id == Notice.complaint_id)
            .join(NoticeContact, NoticeContact.complaint_id == Notice.complaint_id)
            .where(Notice.id == notice_id, Notice.sent_at.is_(None), NoticeContact.channel == provider.channel)
            .with_for_update(of=Notice, skip_locked=True)
        ).first()
        if row is None:
            db.session.rollback()
            continue
        notice, code, contact = row
        notice.attempts += 1
        notice.last_attempt_at, notice.provider = utcnow(), provider.name
        try:
            notice.provider_ref = provider.send(
                cipher.decrypt(contact.address_cipher), Message(notice.kind, {"code": code}, sign)
            )
        except Exception as failure:  # noqa: BLE001 — a provider's fault must not stop the sweep
            reason = str(failure) if isinstance(failure, SendFailure) else type(failure).__name__
            notice.last_error = error = scrub(reason)[:500]
            failed += 1
        else:
            notice.sent_at, notice.last_error = notice.last_attempt_at, ""
            sent += 1
        db.session.commit()
    return NoticeResult(sent, failed, error)
