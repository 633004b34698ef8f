"""Accountants upload and correct; reviewers approve or return. Views stay thin."""

import io

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from core.extensions import db
from core.db import utcnow
from core.problems import Rejected
from core.regions.models import Level, Region
from core.timezone import local_date
from core.users.access import role_required
from core.users.models import Role
from core.web import page_arg
from disclosures import queries
from disclosures.due import disclosure_calendar
from disclosures.forms import (
    CancelUploadForm,
    ConfirmUploadForm,
    CorrectionForm,
    EmptyMonthForm,
    PhotoForm,
    ReviewForm,
    RowEntryForm,
    UploadForm,
)
from disclosures.correction_form import COLUMNS, FIXED, Unconfirmed, column_values, correction_values
from disclosures.importers import validate_rows, validate_upload
from disclosures.models import Batch, BatchStatus, Kind
from disclosures.photos import batch_photos
from disclosures.parsed import ParsedBatch, ParsedUpload
from disclosures.permissions import can_review, can_upload, can_view_batch, uploads_disclosures
from disclosures.preview import PREVIEW_COLUMNS, display_value, totals
from disclosures.revisions import correction_summary
from disclosures.services import DisclosureError, approve_batch, correct_row, return_batch, stage_upload
from disclosures.staging import discard, stage, staged
from disclosures.template_files import CONTENT_TYPE, template_filename, template_workbook
from disclosures.preview import preview_page
from disclosures.preset import upload_preset

bp = Blueprint("disclosures", __name__, url_prefix="/disclosures", template_folder="templates")
bp.app_template_global("preview_value")(display_value)
bp.add_app_template_global(list(Kind), "template_kinds")
EMPTY_MONTH = {Kind.LEDGER: "本月无收支", Kind.SUBSIDIES: "本月其余项目未发放"}
STAFF = (Role.ACCOUNTANT, Role.REVIEWER, Role.HANDLER, Role.ADMIN)


@bp.get("/")
@role_required(*STAFF)
def home():
    villages = queries.villages_in_scope(current_user)
    preset = upload_preset(request.args, villages)
    # A 工作台 row's link fills the form; only the ledger's upload is bound to a month.
    filled = {"kind": preset.kind.value, "period": preset.month if preset.kind is Kind.LEDGER else ""} if preset else {}
    return render_template(
        "disclosures/home.html",
        may_upload=uploads_disclosures(current_user),
        upload_form=UploadForm(**filled),
        empty_form=EmptyMonthForm(),
        preset=preset,
        calendar=disclosure_calendar(villages, local_date(utcnow())),
        pending=queries.pending_batches(current_user),
        recent=queries.recent_batches(current_user),
    )


def _validate(form_kind: str, data: bytes, filename: str, period: str | None):
    return validate_upload(
        Kind(form_kind),
        data,
        filename,
        villages=queries.writable_village_codes(current_user),
        period=period or None,
        max_rows=current_app.config["IMPORT_MAX_ROWS"],
        max_bytes=current_app.config["UPLOAD_MAX_BYTES"],
    )


@bp.post("/upload")
@role_required(Role.ACCOUNTANT, Role.ADMIN)
def upload():
    form = UploadForm()
    if not form.validate_on_submit():
        return render_template("disclosures/upload_errors.html", form=form, problems=[]), 422
    data, filename = form.file.data.read(), form.file.data.filename or "upload"
    try:
        parsed = _validate(form.kind.data, data, filename, form.period.data)
    except Rejected as rejected:
        return render_template(
            "disclosures/upload_errors.html", form=form, problems=rejected.problems, filename=filename
        ), 422
    confirm = ConfirmUploadForm(token=stage(data), filename=filename, kind=form.kind.data, period=form.period.data)
    return _preview(parsed, confirm)


def _preview(parsed: ParsedUpload, form: ConfirmUploadForm, status: int = 200):
    return render_template(
        "disclosures/preview.html",
        parsed=parsed,
        form=form,
        totals=totals,
        columns=PREVIEW_COLUMNS[parsed.kind],
        preview=preview_page(parsed, form.page.data or 1),
    ), status


def _staged_upload(form: ConfirmUploadForm):
    """The staged file checked again, or the page to show instead (gone, or now refused)."""
    try:
        data = staged(form.token.data)
        # Validated again: another upload may have taken a voucher number since the preview.
        return _validate(form.kind.data, data, form.filename.data, form.period.data), None
    except FileNotFoundError:
        flash("上传的文件已过期，请重新上传", "error")
        return None, redirect(url_for(".home"))
    except Rejected as rejected:
        discard(form.token.data)  # the page below asks for the file again: nothing waits for it
        return None, (
            render_template(
                "disclosures/upload_errors.html",
                form=UploadForm(),
                problems=rejected.problems,
                filename=form.filename.data,
            ),
            422,
        )


@bp.post("/upload/preview")
@role_required(Role.ACCOUNTANT, Role.ADMIN)
def upload_preview():
    """Another page of the rows of a staged upload; the file stays staged."""
    form = ConfirmUploadForm()
    if not form.validate_on_submit():
        abort(400)
    parsed, instead = _staged_upload(form)
    return instead if parsed is None else _preview(parsed, form)


@bp.get("/templates/<any(ledger,subsidies,projects,contracts):kind>.xlsx")
@role_required(Role.ACCOUNTANT, Role.ADMIN)
def template_download(kind: str):
    villages = queries.villages_in_scope(current_user)
    # The example row names the village asked for (a 工作台 row's), else the first in scope.
    chosen = [v.code for v in villages if v.code == request.args.get("village")] or [v.code for v in villages[:1]]
    data = template_workbook(Kind(kind), chosen[0] if chosen else "")
    # send_file spells a Chinese name as RFC 6266 filename* (a raw header must be latin-1).
    return send_file(
        io.BytesIO(data), mimetype=CONTENT_TYPE, as_attachment=True, download_name=template_filename(Kind(kind))
    )


@bp.post("/upload/confirm")
@role_required(Role.ACCOUNTANT, Role.ADMIN)
def upload_confirm():
    form = ConfirmUploadForm()
    if not form.validate_on_submit():
        abort(400)
    parsed, instead = _staged_upload(form)
    if parsed is None:
        return instead
    if parsed.warnings and not form.accept_warnings.data:
        flash("请先核对提示，勾选确认后再提交", "error")
        return _preview(parsed, form, 422)
    batches = stage_upload(parsed, uploader=current_user)
    discard(form.token.data)
    flash(f"已提交{len(batches)}个批次，共{parsed.row_count}行", "success")
    return redirect(url_for(".home"))


@bp.post("/upload/cancel")
@role_required(Role.ACCOUNTANT, Role.ADMIN)
def upload_cancel():
    """取消 on the preview: the staged file (ID and account numbers) is deleted at once."""
    form = CancelUploadForm()
    if not form.validate_on_submit():
        abort(400)
    discard(form.token.data)
    flash("已取消，上传的文件已删除", "info")
    return redirect(url_for(".home"))


@bp.post("/empty-month")
@role_required(Role.ACCOUNTANT, Role.ADMIN)
def empty_month():
    """Declare a month without any income or expense, or without a payment of any subsidy item
    not on its rosters yet, so it is disclosed rather than late (disclosures/due.py)."""
    form = EmptyMonthForm()
    if not form.validate_on_submit():
        abort(400)
    if not can_upload(current_user, form.village.data):
        abort(403)
    village = db.session.get(Region, form.village.data)
    if village is None or village.level_enum is not Level.VILLAGE:
        abort(404)  # in scope but no village: a township's code, or nobody's
    kind, what = Kind(form.kind.data), EMPTY_MONTH[form.kind.data]
    stage_upload(
        ParsedUpload(kind, what, [ParsedBatch(form.village.data, kind, form.period.data, [])]), uploader=current_user
    )
    flash(f"已提交 {village.name} {form.period.data} {what}的公开", "success")
    return redirect(url_for(".home"))


@bp.route("/enter/<kind>", methods=["GET", "POST"])
@role_required(Role.ACCOUNTANT, Role.ADMIN)
def enter(kind: str):
    """Type one row instead of uploading a file; checked exactly like a file's row."""
    if kind not in set(Kind):
        abort(404)
    page = {
        "kind": Kind(kind),
        "kinds": list(Kind),
        "form": RowEntryForm(),
        "problems": [],
        "columns": list(COLUMNS[Kind(kind)]),
        "villages": queries.villages_in_scope(current_user),
    }
    if not page["form"].validate_on_submit():
        return render_template("disclosures/enter.html", **page)
    cells = {column: request.form.get(column, "") for column in ["村代码", *page["columns"]]}
    try:
        parsed = validate_rows(Kind(kind), [cells], villages=queries.writable_village_codes(current_user))
    except Rejected as rejected:
        return render_template("disclosures/enter.html", **page | {"problems": rejected.problems}), 422
    if parsed.warnings and not page["form"].accept_warnings.data:
        return render_template("disclosures/enter.html", **page | {"warnings": parsed.warnings}), 422
    [batch] = stage_upload(parsed, uploader=current_user)
    flash("已提交，等待审核" if batch.status == BatchStatus.PENDING else "已公开", "success")
    return redirect(url_for(".batch", batch_id=batch.id))


def _batch_or_404(batch_id: int) -> Batch:
    batch = db.get_or_404(Batch, batch_id)
    if not can_view_batch(current_user, batch):
        abort(404)
    return batch


@bp.get("/batches/<int:batch_id>")
@role_required(*STAFF)
def batch(batch_id: int):
    found = _batch_or_404(batch_id)
    page = db.paginate(queries.batch_rows(found), page=page_arg(), per_page=100, error_out=False)
    # A correction is shown as what it changes: its rows summed as new ones would count a
    # withdrawn expense as a fresh one.
    correction = correction_summary(found) if found.is_correction else None
    return render_template(
        "disclosures/batch.html",
        batch=found,
        rows=page,
        review_form=ReviewForm(),
        columns=PREVIEW_COLUMNS[found.kind],
        correction=correction,
        totals=None if correction else totals(found.kind, db.session.scalars(queries.batch_rows(found))),
        may_review=can_review(current_user, found),
        may_correct=can_upload(current_user, found.village_code),
        photos=batch_photos(found) if found.kind == Kind.PROJECTS else None,
        photo_form=PhotoForm(),
    )


@bp.post("/batches/<int:batch_id>/review")
@role_required(Role.REVIEWER, Role.ADMIN)
def review(batch_id: int):
    found = _batch_or_404(batch_id)
    if not can_review(current_user, found):
        abort(403)
    form = ReviewForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        if request.form.get("decision") == "approve":
            approve_batch(found, reviewer=current_user)
            flash("已审核通过并公开", "success")
        else:
            return_batch(found, reviewer=current_user, note=form.note.data or "")
            flash("已退回", "success")
    except DisclosureError as error:
        flash(str(error), "error")
    return redirect(url_for(".batch", batch_id=found.id))


def _row_or_404(kind: str, row_id: int):
    if kind not in set(Kind):
        abort(404)
    row = queries.row_of_kind(Kind(kind), row_id)
    if row is None or not can_view_batch(current_user, row.batch):
        abort(404)
    return row


@bp.route("/rows/<kind>/<int:row_id>/correct", methods=["GET", "POST"])
@role_required(Role.ACCOUNTANT, Role.ADMIN)
def correct(kind: str, row_id: int):
    row = _row_or_404(kind, row_id)
    if not can_upload(current_user, row.village_code):
        abort(403)
    form = CorrectionForm()
    page = {
        "row": row,
        "kind": Kind(kind),
        "form": form,
        "fixed": FIXED,
        "problems": [],
        "message": "",
        "values": column_values(Kind(kind), row, viewer=current_user),
    }
    if not form.validate_on_submit():
        return render_template("disclosures/correct.html", **page), 422 if form.is_submitted() else 200
    try:
        values = (
            None
            if form.withdraw.data
            else correction_values(
                Kind(kind), row, request.form, current_user, accept_warnings=form.accept_warnings.data
            )
        )
        batch = correct_row(row, new_values=values, reason=form.reason.data, by=current_user)
    except Rejected as rejected:
        return render_template("disclosures/correct.html", **page | {"problems": rejected.problems}), 422
    except Unconfirmed as unconfirmed:
        return render_template("disclosures/correct.html", **page | {"warnings": unconfirmed.warnings}), 422
    except DisclosureError as error:
        return render_template("disclosures/correct.html", **page | {"message": str(error)}), 422
    flash("更正已提交" + ("，等待审核" if batch.status == BatchStatus.PENDING else "并公开"), "success")
    return redirect(url_for(".batch", batch_id=batch.id))
