"""A real-name complainant's identity stays hidden from every handler until a lead with the case in
scope — never the requester — approves that handler's request. Every step is audited, and every
reveal is told to the case's other leads.

Separation of duties: leads (handlers with the lead flag) approve; administrators grant the lead
flag and can never hold it (an administrator cannot change its own role); so no one account both
makes leads and approves a reveal."""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from admin.cases.actions import CaseError, log_case, require_workable
from admin.cases.permissions import can_decide_requests
from admin.models import Decision, IdentityRequest, Reminder, ReminderLevel
from complaints.models import Complaint
from complaints.permissions import can_see_case
from complaints.services import add_event
from core.db import utcnow
from core.extensions import db
from core.fields import field_cipher
from core.regions.codes import ancestor_codes
from core.timezone import local_date
from core.users.models import Role, User, user_regions
from core.transaction import transactional

REVEAL_NOTICE = ReminderLevel.IDENTITY_REVEALED


@dataclass(frozen=True)
class RevealedIdentity:
    name: str
    phone: str


def request_identity(case: Complaint, reason: str, *, by: User) -> IdentityRequest:
    """File a request, with a reason, to see who complained."""
    require_workable(case, by, open_only=False)
    if not case.is_real_name:
        raise CaseError("这是匿名反映，没有身份信息")
    if not reason.strip():
        raise CaseError("请写明需要查看身份信息的理由")
    if _request_of(case, by, (Decision.PENDING, Decision.APPROVED)):
        raise CaseError("您已提出过申请")
    request = IdentityRequest(complaint_id=case.id, requester_id=by.id, reason=reason.strip()[:1000])
    db.session.add(request)
    try:
        db.session.flush()
    except IntegrityError:  # a second click came in meanwhile (one pending request per person and case)
        db.session.rollback()
        raise CaseError("您已提出过申请") from None
    add_event(case, "identity_requested", public=False, body="申请查看反映人身份信息", actor=by)
    log_case(case, "identity_request", by, reason=request.reason)
    db.session.commit()
    return request


def decide_identity(request: IdentityRequest, approve: bool, note: str, *, by: User) -> None:
    """A lead approves or denies; never their own request."""
    case = db.session.get(Complaint, request.complaint_id)
    if request.requester_id == by.id:
        raise CaseError("不能审批自己的申请")
    if not can_decide_requests(by, case, local_date(utcnow())):
        raise CaseError("只有管辖本案的负责人可以审批")
    if request.status != Decision.PENDING:
        raise CaseError("这项申请已经处理过了")
    request.status = Decision.APPROVED if approve else Decision.DENIED
    request.decided_by_id, request.decided_at, request.decision_note = by.id, utcnow(), note.strip()[:1000]
    add_event(case, "identity_decided", public=False, body=f"身份查看申请{request.status.label}", actor=by)
    log_case(case, "identity_decide", by, request=request.id, approved=approve)
    db.session.commit()


@transactional
def reveal_identity(case: Complaint, *, by: User) -> RevealedIdentity:
    """Decrypt the identity for a handler whose request was approved; the view is audited."""
    require_workable(case, by, open_only=False)
    approved = _request_of(case, by, (Decision.APPROVED,))
    if approved is None or case.identity is None:
        raise CaseError("需要经负责人批准后才能查看身份信息")
    cipher = field_cipher()
    revealed = RevealedIdentity(cipher.decrypt(case.identity.name_cipher), cipher.decrypt(case.identity.phone_cipher))
    add_event(case, "identity_revealed", public=False, body="查看了反映人身份信息", actor=by)
    _notify_other_leads(case, approved, by)
    log_case(case, "identity_reveal", by)
    db.session.commit()
    return revealed


def _notify_other_leads(case: Complaint, approved: IdentityRequest, by: User) -> None:
    """Tell every other lead who may see the case (its township's and its county's) that the
    identity was revealed, so that one lead's approval never goes unseen (flush only)."""
    today, now = local_date(utcnow()), utcnow()
    leads = db.session.scalars(
        select(User)
        .join(user_regions, user_regions.c.user_id == User.id)
        .where(
            User.role == Role.HANDLER,
            User.is_lead.is_(True),
            User.is_enabled.is_(True),
            User.id.not_in({by.id, approved.decided_by_id} - {None}),
            user_regions.c.region_code.in_(ancestor_codes(case.village_code)),
        )
        .distinct()
    )
    db.session.add_all(
        Reminder(user_id=lead.id, complaint_id=case.id, clock_id=None, level=REVEAL_NOTICE, created_at=now)
        for lead in leads
        if can_see_case(lead, case, today)
    )


def may_reveal(case: Complaint, user: User) -> bool:
    """Whether the user holds an approved request for this case."""
    return _request_of(case, user, (Decision.APPROVED,)) is not None


def _request_of(case: Complaint, user: User, statuses) -> IdentityRequest | None:
    return db.session.scalar(
        select(IdentityRequest).where(
            IdentityRequest.complaint_id == case.id,
            IdentityRequest.requester_id == user.id,
            IdentityRequest.status.in_([s.value for s in statuses]),
        )
    )
