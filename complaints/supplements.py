"""What a complainant adds to their own open case from the tracking page: the material a handler
asked for (待补充材料), or more of their own accord. One transaction; the files were stored first
(complaints/attachments.py: store_then) and are committed with their rows."""

from core.db import utcnow
from core.extensions import db
from complaints.clocks import resume_working_clocks
from complaints.models import Attachment, Complaint, Status
from complaints.services import ComplaintError, add_event

FINISHED = (Status.CLOSED, Status.MERGED)
MAX_FILES_PER_CASE = 20  # the filing's 5 photos and a recording, and a few rounds of material
COMPLAINANT = "反映人"


def supplement_refusal(case: Complaint) -> str | None:
    """Why nothing can be added to this case now, or None when it can."""
    if case.status in FINISHED:
        return "案件已办结或已合并，不能再补充材料。对办理结果有意见，可以在评价时说明或申请复查。"
    return None


def add_material(case: Complaint, text: str, stored: list[tuple[str, str, str, int]]) -> bool:
    """Add the complainant's text and files (kind, stored_name, content_type, size) to the case
    timeline. Material a handler was waiting for ends the wait: the case is worked again and clocks
    paused for it restart from today with the working days they had left (docs/clocks.md).
    Returns whether it ended a wait."""
    if refusal := supplement_refusal(case):
        raise ComplaintError(refusal)
    text = (text or "").strip()
    if not text and not stored:
        raise ComplaintError("请写下要补充的内容，或选择照片、录音")
    if len(case.attachments) + len(stored) > MAX_FILES_PER_CASE:
        raise ComplaintError(f"一件案件最多保存{MAX_FILES_PER_CASE}个照片和录音，请挑选最重要的")
    now = utcnow()
    for kind, stored_name, content_type, size in stored:
        case.attachments.append(
            Attachment(kind=kind, stored_name=stored_name, content_type=content_type, size=size, created_at=now)
        )
    awaited = case.status == Status.AWAITING_INFO
    add_event(
        case,
        "supplement",
        public=True,
        actor_label=COMPLAINANT,
        at=now,
        body="\n".join(filter(None, [text, _files_line(stored)])),
    )
    if awaited:
        case.status = Status.IN_PROGRESS
        paused = any(clock.paused_at is not None for clock in case.clocks)
        if paused:  # resumed even if pausing was switched off meanwhile: a clock never stays stopped
            resume_working_clocks(case, now)
        add_event(
            case,
            "material_received",
            public=True,
            at=now,
            body="已收到补充材料，继续办理" + ("，答复期限恢复计算" if paused else ""),
        )
    db.session.commit()
    return awaited


def _files_line(stored) -> str:
    photos = sum(1 for kind, *_ in stored if kind == "image")
    recordings = len(stored) - photos
    parts = [f"照片{photos}张" if photos else "", f"录音{recordings}段" if recordings else ""]
    return "（附" + "、".join(filter(None, parts)) + "）" if stored else ""
