"""A real-name complainant's identity stays hidden from every handler until a lead with the case in
scope — never the requester — approves that handler's request. Every step is audited."""
from dataclasses import dataclass

from sqlalchemy import select

from admin.cases.actions import CaseError, require_workable
from admin.cases.permissions import can_decide_requests
from admin.models import Decision, IdentityRequest
from complaints.models import Complaint
from complaints.services import add_event
from core.audit import record_audit
from core.db import utcnow
from core.extensions import db
from core.fields import field_cipher
from core.timezone import local_date
from core.users.models import User


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
    add_event(case, "identity_requested", public=False, body="申请查看反映人身份信息", actor=by)
    record_audit("case.identity_request", target_type="complaint", target_id=case.id, actor=by,
                 detail={"code": case.code, "reason": request.reason})
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
    add_event(case, "identity_decided", public=False, body=f"身份查看申请{request.status_label}", actor=by)
    record_audit("case.identity_decide", target_type="complaint", target_id=case.id, actor=by,
                 detail={"code": case.code, "request": request.id, "approved": approve})
    db.session.commit()


def reveal_identity(case: Complaint, *, by: User) -> RevealedIdentity:
    """Decrypt the identity for a handler whose request was approved; the view is audited."""
    require_workable(case, by, open_only=False)
    if not _request_of(case, by, (Decision.APPROVED,)) or case.identity is None:
        raise CaseError("需要经负责人批准后才能查看身份信息")
    cipher = field_cipher()
    revealed = RevealedIdentity(cipher.decrypt(case.identity.name_cipher), cipher.decrypt(case.identity.phone_cipher))
    record_audit("case.identity_reveal", target_type="complaint", target_id=case.id, actor=by,
                 detail={"code": case.code})
    db.session.commit()
    return revealed


def may_reveal(case: Complaint, user: User) -> bool:
    """Whether the user holds an approved request for this case."""
    return _request_of(case, user, (Decision.APPROVED,)) is not None


def _request_of(case: Complaint, user: User, statuses) -> IdentityRequest | None:
    return db.session.scalar(select(IdentityRequest).where(
        IdentityRequest.complaint_id == case.id, IdentityRequest.requester_id == user.id,
        IdentityRequest.status.in_([s.value for s in statuses])))
