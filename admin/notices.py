"""短信通知: the notices to complainants that are waiting, failed or were given up, for the
administrators of the cases' regions (docs/notices.md). Never a number: the page reads the
outbox, not the contacts."""

from datetime import timedelta

from flask import render_template
from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager

from admin.routes import me
from complaints.models import Complaint
from complaints.notices.models import Notice
from complaints.notices.sender import RETRY_FOR, retry_wait
from complaints.permissions import visible_cases
from core.views import Views
from core.db import utcnow
from core.extensions import db
from core.timezone import local_date
from core.users.access import role_required
from core.users.models import Role
from core.web import page_arg

views = Views()

SENT_WINDOW = timedelta(days=7)


def notice_state(notice: Notice, now) -> str:
    """等待发送, 发送失败 (tried again later), 已停止重试 (past RETRY_FOR), or 已发送."""
    if notice.sent_at is not None:
        return "已发送"
    if notice.created_at < now - RETRY_FOR:
        return "已停止重试"
    return "发送失败" if notice.attempts else "等待发送"


@views.get("/notices")
@role_required(Role.ADMIN)
def notices():
    now = utcnow()
    scope = visible_cases(me(), local_date(now))
    unsent = (
        select(Notice)
        .join(Complaint, Complaint.id == Notice.complaint_id)
        .options(contains_eager(Notice.complaint))
        .where(Notice.sent_at.is_(None), scope)
        .order_by(Notice.created_at.desc(), Notice.id.desc())
    )
    page = db.paginate(unsent, page=page_arg(), per_page=50, error_out=False)
    sent = db.session.scalar(
        select(func.count())
        .select_from(Notice)
        .join(Complaint, Complaint.id == Notice.complaint_id)
        .where(Notice.sent_at >= now - SENT_WINDOW, scope)
    )
    rows = [
        (
            notice,
            notice_state(notice, now),
            notice.last_attempt_at + retry_wait(notice.attempts) if notice.last_attempt_at else None,
        )
        for notice in page.items
    ]
    return render_template("admin/notices.html", page=page, rows=rows, sent=sent, now=now)
