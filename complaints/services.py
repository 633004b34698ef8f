"""Filing and following a complaint. Each public function is one transaction; the complaint is
committed before anything is shown to the person who filed it."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, inspect, select
from sqlalchemy.exc import IntegrityError

from core.audit import record_audit
from core.calendar.workdays import legal_deadline
from core.db import utcnow
from core.extensions import db
from core.fields import field_cipher
from core.regions.models import Level, Region
from core.regions.places import Place
from core.timezone import local
from complaints.clocks import REVIEW_CALENDAR_DAYS, open_arrival_clocks, start_clock
from complaints.codes import check_tracking_secret, hash_tracking_secret, new_secret, next_case_code
from complaints.notices.models import NoticeContact
from complaints.notices.outbox import contact_row
from complaints.models import (
    Attachment,
    CaseEvent,
    Category,
    Channel,
    ClockKind,
    Complaint,
    ComplaintIdentity,
    Rating,
    Status,
)

REVIEW_WINDOW_DAYS = 30  # 复查 may be asked within 30 days of the written answer (docs/clocks.md)


class ComplaintError(ValueError):
    """A request that cannot be carried out; the message is for the person."""


@dataclass(frozen=True)
class Identity:
    name: str
    phone: str


@dataclass(frozen=True)
class FiledComplaint:
    code: str
    secret: str


def add_event(
    case: Complaint,
    kind: str,
    *,
    public: bool,
    body: str = "",
    actor=None,
    actor_label: str = "",
    at: datetime | None = None,
) -> CaseEvent:
    """Append to the case timeline (flush only)."""
    event = CaseEvent(
        kind=kind,
        is_public=public,
        body=body,
        at=at or utcnow(),
        actor_id=getattr(actor, "id", None),
        actor_label=actor_label,
    )
    case.events.append(event)
    return event


def file_complaint(
    *,
    village: Region | Place,
    category: Category,
    text: str,
    channel: Channel,
    identity: Identity | None,
    received_at: datetime | None = None,
    item: tuple[str, int, str] | None = None,
    round_id: int | None = None,
    late_for_round: bool = False,
    idempotency_key: str | None = None,
    registered_by=None,
    attachments: list[tuple[str, str, str, int]] = (),
    notice_phone: str | None = None,
) -> FiledComplaint:
    """Store a complaint with its clocks; return the case number and the one-time secret.

    A repeated idempotency key (a double tap, a retried submit) returns the first case's number
    and no secret, never a second complaint: the secret is random and only its keyed hash is
    stored (complaints/receipts.py lets the session that filed see it again for a few minutes).
    `attachments` are (kind, stored_name, content_type, size) of files already in storage,
    committed with the case. `notice_phone`, a mobile number, is where news of the case is sent by
    SMS (docs/notices.md): a real-name complainant's own, or one an anonymous complainant left for
    notices only."""
    if village.level != Level.VILLAGE:
        raise ComplaintError("请选择一个村（社区）")
    if not text.strip():
        raise ComplaintError("请写下发生了什么")
    # To the minute: beside a proxy's log, a stored second could point at the one request that filed.
    received_at = (received_at or utcnow()).replace(second=0, microsecond=0)
    secret = new_secret()
    try:
        code = next_case_code(village.parent_code, local(received_at).year)
        case = Complaint(
            code=code,
            village_code=village.code,
            township_code=village.parent_code,
            category=category,
            channel=channel,
            text=text.strip(),
            item_kind=item[0] if item else None,
            item_id=item[1] if item else None,
            item_summary=item[2] if item else "",
            round_id=round_id,
            is_late_for_round=late_for_round,
            is_real_name=identity is not None,
            secret_hash=hash_tracking_secret(secret),
            secret_is_temporary=registered_by is not None,
            idempotency_key=idempotency_key,
            received_at=received_at,
            registered_by_id=getattr(registered_by, "id", None),
            status=Status.RECEIVED,
        )
        if identity is not None:
            cipher = field_cipher()
            case.identity = ComplaintIdentity(
                name_cipher=cipher.encrypt(identity.name.strip()), phone_cipher=cipher.encrypt(identity.phone.strip())
            )
        for kind, stored_name, content_type, size in attachments:
            case.attachments.append(
                Attachment(
                    kind=kind, stored_name=stored_name, content_type=content_type, size=size, created_at=received_at
                )
            )
        open_arrival_clocks(case)
        add_event(
            case, "received", public=True, body=f"收到反映（{channel.label}）", at=received_at, actor=registered_by
        )
        case_id = _insert_new_case(case)
        if notice_phone:
            contact = contact_row(notice_phone.strip())
            db.session.connection().execute(insert(NoticeContact), _column_values(contact) | {"complaint_id": case_id})
        if registered_by is not None:  # the complainant's identity stays out of the audit log
            record_audit(
                "complaint.register",
                target_type="complaint",
                target_id=code,
                actor=registered_by,
                detail={"channel": channel.value, "village": village.code},
            )
        db.session.commit()
    except IntegrityError:
        # The key was filed before (a double tap, a retry after a timeout): answer with that case.
        # Found by the unique index rather than asked first, as nearly every key is new.
        db.session.rollback()
        existing = idempotency_key and _code_for_key(idempotency_key)
        if not existing:
            raise
        return FiledComplaint(code=existing, secret="")
    return FiledComplaint(code=code, secret=secret)


def _insert_new_case(case: Complaint) -> int:
    """Write a case built in memory, with its clocks, events, identity and attachments: one INSERT
    per table, in the session's transaction. Filing is the portal's busiest write, and Core
    INSERTs cost a millisecond less than the ORM's unit of work for these few rows; the objects
    were built (and their listeners ran) as usual."""
    connection = db.session.connection()
    case_id = connection.execute(insert(Complaint).returning(Complaint.id), _column_values(case)).scalar_one()
    children = [case.clocks, case.events, case.attachments, [case.identity] if case.identity else []]
    for rows in filter(None, children):
        connection.execute(insert(type(rows[0])), [_column_values(row) | {"complaint_id": case_id} for row in rows])
    return case_id


def _column_values(row) -> dict:
    """The columns set on a new object; the table's defaults fill the rest."""
    return {
        attribute.key: row.__dict__[attribute.key]
        for attribute in inspect(row).mapper.column_attrs
        if attribute.key in row.__dict__
    }


def _code_for_key(idempotency_key: str) -> str | None:
    return db.session.scalar(select(Complaint.code).where(Complaint.idempotency_key == idempotency_key))


def open_case(code: str, secret: str) -> Complaint | None:
    """The case these credentials open, following merges; None for any mismatch."""
    # A warning (channel 预警) has no complainant: no secret opens it, and none is even tried.
    case = db.session.scalar(
        select(Complaint).where(Complaint.code == code.strip(), Complaint.channel != Channel.WARNING)
    )
    if case is None or not check_tracking_secret(secret, case.secret_hash):
        return None
    return case


def rate_case(case: Complaint, rating: str, comment: str = "") -> None:
    """The complainant's satisfaction; 不满意 sends the case back to the handler for another look."""
    if case.rating is not None:
        raise ComplaintError("已经评价过了")
    if case.status != Status.CLOSED:
        raise ComplaintError("案件办结后才能评价")
    chosen = Rating.lookup(rating)
    if chosen is None:
        raise ComplaintError("请选择满意、基本满意或不满意")
    case.rating, case.rating_comment, case.rated_at = chosen, comment.strip()[:500], utcnow()
    add_event(
        case,
        "rated",
        public=True,
        body=f"评价：{chosen.label}" + (f"。{case.rating_comment}" if case.rating_comment else ""),
    )
    if chosen == Rating.UNSATISFIED:
        case.status = Status.REOPENED
        add_event(case, "reopened", public=True, body="因评价不满意，案件已退回重新办理")
    db.session.commit()


def review_refusal(case: Complaint) -> str | None:
    """Why a 复查 request cannot be made now, or None when it can."""
    if case.closed_at is None:
        return "案件办结后才能申请复查"
    if any(event.kind == "review_requested" for event in case.events):
        return "已经申请过复查，请等待答复"
    # A calendar-day limit whose last day is a rest day ends on the next working day (民法典 第203条).
    if utcnow() > legal_deadline(case.closed_at, REVIEW_WINDOW_DAYS).at:
        return "已超过申请复查的期限（收到答复后30日内）"
    return None


def request_review(case: Complaint) -> None:
    """The complainant's formal 复查 request, within 30 days of the written answer: it starts the
    30-day clock for the review's answer (the case's next closing) and puts the case back in
    front of its handler."""
    if refusal := review_refusal(case):
        raise ComplaintError(refusal)
    now = utcnow()
    add_event(case, "review_requested", public=True, body="申请复查", actor_label="反映人", at=now)
    start_clock(case, ClockKind.REVIEW, now, REVIEW_CALENDAR_DAYS, "calendar")
    if case.status == Status.CLOSED:
        case.status = Status.REOPENED
    db.session.commit()
