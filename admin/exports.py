"""Exports: a case's 受理登记及办理情况表 (PDF), the filtered queue (CSV, XLSX) and the monthly
statistics report (PDF). Every export stays inside the user's scope; a case file shows the
complainant only to a handler whose identity request a lead approved, and is audited."""

import io
import re
from collections.abc import Iterator
from dataclasses import asdict
from datetime import date, datetime
from urllib.parse import quote

from flask import Response, abort, render_template, request, send_file, stream_with_context
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import aliased

from admin.cases.actions import CaseError, log_case
from admin.cases.identity import may_reveal, reveal_identity
from admin.cases import lookups
from admin.cases.forms import queue_filter_form
from admin.cases.queries import QueueFilters, deadline_state, queue
from admin.dashboard import DASHBOARD_ROLES, dashboard_stats, month_label
from admin.models import Referral
from complaints.models import Complaint
from complaints.permissions import can_see_case
from core.views import Views
from core.audit import record_audit
from core.calendar.clocks import due_soon_until
from core.db import utcnow
from core.extensions import db
from core.pdf import render_pdf
from core.regions.models import Region
from core.tabular.writing import MIME, csv_chunks, to_xlsx
from core.timezone import format_local, local_date
from core.users.access import role_required
from core.users.models import User

views = Views()

QUEUE_HEADERS = [
    "案件编号",
    "收到时间",
    "乡镇",
    "村",
    "类别",
    "来源",
    "状态",
    "承办人",
    "最近期限",
    "期限状态",
    "反映内容",
    "办理结果",
    "定性",
    "办结时间",
]
MONTH = re.compile(r"(\d{4})-(\d{2})")


def queue_rows(user: User, filters: QueueFilters, now: datetime) -> Iterator[list]:
    """The queue as the page orders it, one export row per case, read in batches. The query is
    built now, from the user as loaded now: a streamed CSV is read after the request's session
    is gone, where the user (expired by the export's audit commit) could not be loaded again."""
    return _export_rows(_export_statement(user, filters, now), now)


def _export_statement(user: User, filters: QueueFilters, now: datetime):
    village, township, assignee = aliased(Region), aliased(Region), aliased(User)
    statement = (
        queue(user, filters, now)
        .with_only_columns(
            Complaint.code,
            Complaint.received_at,
            township.name,
            village.name,
            Complaint.category,
            Complaint.channel,
            Complaint.status,
            assignee.display_name,
            assignee.username,
            Complaint.next_due_at,
            Complaint.text,
            Complaint.result,
            Complaint.classification,
            Complaint.closed_at,
            maintain_column_froms=False,
        )
        .select_from(Complaint)
        .outerjoin(village, village.code == Complaint.village_code)
        .outerjoin(township, township.code == Complaint.township_code)
        .outerjoin(assignee, assignee.id == Complaint.assignee_id)
    )
    return statement


def _export_rows(statement, now: datetime) -> Iterator[list]:
    soon = due_soon_until(now)
    for (
        code,
        received,
        township_name,
        village_name,
        category,
        channel,
        status,
        shown,
        username,
        due,
        text,
        result,
        classification,
        closed,
    ) in db.session.execute(statement.execution_options(yield_per=2000)):
        yield [
            code,
            format_local(received),
            township_name or "",
            village_name or "",
            category.label,
            channel.label,
            status.label,
            shown or username or "",
            format_local(due),
            deadline_state(due, now, soon),
            text,
            result,
            classification,
            format_local(closed),
        ]


def log_queue_export(user: User, fmt: str, filters: QueueFilters) -> None:
    """Audit a queue export before it is streamed."""
    record_audit(
        "case.export_queue",
        target_type="complaint",
        actor=user,
        detail={"format": fmt, "filters": {k: v for k, v in asdict(filters).items() if v}},
    )
    db.session.commit()


def case_file_pdf(case: Complaint, user: User, now: datetime) -> bytes:
    """The case file; the identity only for a holder of an approved request (revealing it is audited)."""
    revealed = None
    if case.is_real_name and may_reveal(case, user):
        try:
            revealed = reveal_identity(case, by=user)
        except CaseError:
            revealed = None
    referrals = db.session.scalars(select(Referral).where(Referral.complaint_id == case.id).order_by(Referral.id)).all()
    assignee = db.session.get(User, case.assignee_id) if case.assignee_id else None
    township = db.session.get(Region, case.township_code)
    html = render_template(
        "admin/dashboard_case_file.html",
        case=case,
        township=township,
        assignee=assignee,
        revealed=revealed,
        events=lookups.timeline(case),
        clocks=lookups.clock_rows(case, now),
        referrals=referrals,
        now=now,
        user=user,
    )
    log_case(case, "export_file", user, identity=revealed is not None)
    db.session.commit()
    return render_pdf(html)


def parse_month(text: str | None, now: datetime) -> date | None:
    """YYYY-MM as the month's first day; the current month when absent; None when malformed."""
    if not text:
        today = local_date(now)
        return date(today.year, today.month, 1)
    found = MONTH.fullmatch(text.strip())
    if not found or not 1 <= int(found.group(2)) <= 12 or not 2000 <= int(found.group(1)) <= 2100:
        return None
    return date(int(found.group(1)), int(found.group(2)), 1)


def monthly_report_pdf(user: User, month: date, now: datetime) -> bytes:
    """The dashboard's numbers for one month of the user's scope."""
    stats = dashboard_stats(user, [month], now)
    return render_pdf(
        render_template("admin/dashboard_monthly.html", stats=stats, month=month_label(month), user=user, now=now)
    )


def _unstored(response):
    # Case files (with a revealed identity) and queue exports name people: no browser, proxy or
    # shared-computer cache may keep a copy once the tab is closed.
    response.headers["Cache-Control"] = "no-store"
    return response


def _pdf(data: bytes, name: str):
    return _unstored(send_file(io.BytesIO(data), mimetype="application/pdf", as_attachment=False, download_name=name))


@views.get("/cases/<int:case_id>/file.pdf")
@role_required(*DASHBOARD_ROLES)
def case_file(case_id: int):
    now = utcnow()
    case = db.session.get(Complaint, case_id)
    if case is None or not can_see_case(current_user, case, local_date(now)):
        abort(404)
    return _pdf(case_file_pdf(case, current_user, now), f"受理登记及办理情况表-{case.code}.pdf")


@views.get("/cases/export.<any(csv,xlsx):fmt>")
@role_required(*DASHBOARD_ROLES)
def queue_export(fmt: str):
    now, user = utcnow(), current_user._get_current_object()
    form = queue_filter_form(user, request.args)
    filters = form.filters()
    # The page skips a filter it cannot read; a file passed on must never hold more than was
    # asked for, so an export with one exports nothing.
    rows = iter(()) if form.errors else queue_rows(user, filters, now)
    log_queue_export(user, fmt, filters)
    name = f"案件清单-{local_date(now).isoformat()}.{fmt}"
    if fmt == "xlsx":
        return _unstored(
            send_file(
                io.BytesIO(to_xlsx("案件", QUEUE_HEADERS, rows)),
                mimetype=MIME[fmt],
                as_attachment=True,
                download_name=name,
            )
        )
    response = Response(stream_with_context(csv_chunks(QUEUE_HEADERS, rows)), mimetype=MIME[fmt])
    response.headers["Content-Disposition"] = _attachment(name)
    return _unstored(response)


def _attachment(name: str) -> str:
    # An ASCII fallback for old clients, the Chinese name for the rest (RFC 6266).
    return f"attachment; filename=\"export.csv\"; filename*=UTF-8''{quote(name)}"


@views.get("/reports/monthly.pdf")
@role_required(*DASHBOARD_ROLES)
def monthly_report():
    now = utcnow()
    month = parse_month(request.args.get("month"), now)
    if month is None:
        abort(400)
    return _pdf(monthly_report_pdf(current_user, month, now), f"案件统计月报-{month:%Y-%m}.pdf")
